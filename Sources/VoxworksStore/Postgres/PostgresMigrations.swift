import Logging
import VoxworksCore
import PostgresNIO

/// The PostgreSQL schema, versioned. Several nodes may start at once: the
/// migrations run under a session advisory lock, so one node applies them
/// and the others wait and then find nothing to do.
enum PostgresMigrations {
    /// An arbitrary constant naming the lock ("vxmigrat").
    static let lockKey: Int64 = 0x76786d6967726174

    static let steps: [(version: Int, sql: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE teams (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL,
                    pending_count BIGINT NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL REFERENCES teams(id), key_hash TEXT NOT NULL UNIQUE,
                    label TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT)
                """,
                """
                CREATE TABLE automations (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL REFERENCES teams(id), name TEXT NOT NULL, enabled BOOLEAN NOT NULL,
                    definition TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT)
                """,
                "CREATE INDEX automations_by_team ON automations(team_id, id)",
                """
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY, automation_id TEXT NOT NULL UNIQUE REFERENCES automations(id),
                    team_id TEXT NOT NULL REFERENCES teams(id), token TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                    rate_per_second DOUBLE PRECISION NOT NULL, rate_burst INTEGER NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE webhook_secrets (
                    id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks(id), sealed_key BYTEA NOT NULL,
                    created_at BIGINT NOT NULL, expires_at BIGINT)
                """,
                "CREATE INDEX webhook_secrets_by_webhook ON webhook_secrets(webhook_id)",
                """
                CREATE TABLE executions (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL, automation_id TEXT NOT NULL, webhook_id TEXT,
                    status TEXT NOT NULL, body BYTEA NOT NULL, content_type TEXT, idempotency_key TEXT, source_address TEXT,
                    received_at BIGINT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, started_at BIGINT, finished_at BIGINT,
                    error TEXT, replay_of TEXT, steps_total INTEGER NOT NULL DEFAULT 0, steps_completed INTEGER NOT NULL DEFAULT 0,
                    run_at BIGINT, lease_owner TEXT, lease_expires_at BIGINT, wait_reason TEXT, context TEXT, definition TEXT,
                    trigger_type TEXT NOT NULL DEFAULT 'webhook')
                """,
                "CREATE INDEX executions_by_team ON executions(team_id, id)",
                "CREATE INDEX executions_by_team_automation ON executions(team_id, automation_id, id)",
                "CREATE INDEX executions_by_team_status ON executions(team_id, status, id)",
                "CREATE INDEX executions_due ON executions(status, run_at)",
                "CREATE INDEX executions_leased ON executions(lease_expires_at) WHERE lease_owner IS NOT NULL",
                "CREATE INDEX executions_finished ON executions(finished_at) WHERE finished_at IS NOT NULL",
                """
                CREATE TABLE idempotency_records (
                    webhook_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint BYTEA NOT NULL, execution_id TEXT NOT NULL,
                    expires_at BIGINT NOT NULL, PRIMARY KEY (webhook_id, key))
                """,
                "CREATE INDEX idempotency_records_by_expiry ON idempotency_records(expires_at)",
                """
                CREATE TABLE execution_steps (
                    execution_id TEXT NOT NULL, step_id TEXT NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,
                    status TEXT NOT NULL, started_at BIGINT, finished_at BIGINT, attempts INTEGER NOT NULL DEFAULT 0,
                    input TEXT, output TEXT, error TEXT, PRIMARY KEY (execution_id, step_id))
                """,
                """
                CREATE TABLE contacts (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL, phone_number TEXT, first_name TEXT, last_name TEXT, email TEXT,
                    title TEXT, address TEXT, location TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX contacts_by_phone ON contacts(team_id, phone_number) WHERE phone_number IS NOT NULL",
                "CREATE INDEX contacts_by_email ON contacts(team_id, lower(email))",
                "CREATE INDEX contacts_by_team ON contacts(team_id, id)",
                """
                CREATE TABLE objects (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL, object_type TEXT NOT NULL, object_key TEXT NOT NULL,
                    data TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    UNIQUE (team_id, object_type, object_key))
                """,
                """
                CREATE TABLE calls (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL, contact_id TEXT, execution_id TEXT, step_id TEXT,
                    type TEXT NOT NULL, progress TEXT NOT NULL, status TEXT, from_number TEXT NOT NULL, to_number TEXT NOT NULL,
                    script_id TEXT NOT NULL, scheduled_time BIGINT NOT NULL, started_at BIGINT, ended_at BIGINT, duration INTEGER,
                    end_reason TEXT, call_summary TEXT, structured_data TEXT, success_evaluation TEXT, rating INTEGER,
                    transcript TEXT, recording_url TEXT, objectives TEXT, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX calls_due ON calls(progress, scheduled_time)",
                "CREATE INDEX calls_by_team ON calls(team_id, id)",
                "CREATE TABLE automation_samples (automation_id TEXT PRIMARY KEY, body BYTEA NOT NULL, received_at BIGINT NOT NULL)",
                "CREATE TABLE lists (id TEXT PRIMARY KEY, team_id TEXT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
                "CREATE INDEX lists_by_team ON lists(team_id, id)",
                """
                CREATE TABLE list_members (
                    list_id TEXT NOT NULL, contact_id TEXT NOT NULL, added_at BIGINT NOT NULL, PRIMARY KEY (list_id, contact_id))
                """,
                // One GCRA state per key, shared by every node: the limit is global.
                "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL)",
                // The team backlog counter, kept by the database itself like SQLite's triggers.
                """
                CREATE FUNCTION executions_pending_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        IF NEW.status = 'pending' THEN UPDATE teams SET pending_count = pending_count + 1 WHERE id = NEW.team_id; END IF;
                    ELSIF TG_OP = 'DELETE' THEN
                        IF OLD.status = 'pending' THEN UPDATE teams SET pending_count = pending_count - 1 WHERE id = OLD.team_id; END IF;
                    ELSIF (OLD.status = 'pending') <> (NEW.status = 'pending') THEN
                        UPDATE teams SET pending_count = pending_count + (CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END)
                        WHERE id = NEW.team_id;
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER executions_pending_count AFTER INSERT OR DELETE OR UPDATE OF status ON executions
                FOR EACH ROW EXECUTE FUNCTION executions_pending_count()
                """,
            ]
        ),
        (
            2,
            [
                // The web console's sign-ins: the SHA-256 of the cookie's token, never the token.
                """
                CREATE TABLE console_sessions (
                    token_hash TEXT PRIMARY KEY, team_id TEXT NOT NULL, api_key_hash TEXT NOT NULL, csrf_token TEXT NOT NULL,
                    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX console_sessions_expiry ON console_sessions(expires_at)",
            ]
        ),
        // The backlog counter without a hot row. Version 1 kept it in the
        // team's row, updated by every insert and every claim: ingest and all
        // workers queued on that one row lock, each behind a WAL flush. Now
        // each database session adds its deltas to a slot of its own (its
        // backend pid modulo 16), once per statement (transition tables), and
        // only when the count changes; the count is the sum of the slots.
        (
            3,
            [
                """
                CREATE TABLE team_pending_slots (
                    team_id TEXT NOT NULL, slot INTEGER NOT NULL, count BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (team_id, slot))
                """,
                "INSERT INTO team_pending_slots (team_id, slot, count) SELECT id, 0, pending_count FROM teams WHERE pending_count <> 0",
                "DROP TRIGGER executions_pending_count ON executions",
                "DROP FUNCTION executions_pending_count()",
                """
                CREATE FUNCTION executions_pending_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO team_pending_slots AS s (team_id, slot, count)
                        SELECT team_id, pg_backend_pid() % 16, count(*) FROM new_rows WHERE status = 'pending' GROUP BY team_id
                        ON CONFLICT (team_id, slot) DO UPDATE SET count = s.count + EXCLUDED.count;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO team_pending_slots AS s (team_id, slot, count)
                        SELECT team_id, pg_backend_pid() % 16, -count(*) FROM old_rows WHERE status = 'pending' GROUP BY team_id
                        ON CONFLICT (team_id, slot) DO UPDATE SET count = s.count + EXCLUDED.count;
                    ELSE
                        INSERT INTO team_pending_slots AS s (team_id, slot, count)
                        SELECT n.team_id, pg_backend_pid() % 16, SUM((n.status = 'pending')::INT - (o.status = 'pending')::INT)
                        FROM new_rows n JOIN old_rows o ON o.id = n.id
                        GROUP BY n.team_id
                        HAVING SUM((n.status = 'pending')::INT - (o.status = 'pending')::INT) <> 0
                        ON CONFLICT (team_id, slot) DO UPDATE SET count = s.count + EXCLUDED.count;
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER executions_pending_insert AFTER INSERT ON executions
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION executions_pending_delta()
                """,
                """
                CREATE TRIGGER executions_pending_delete AFTER DELETE ON executions
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION executions_pending_delta()
                """,
                """
                CREATE TRIGGER executions_pending_update AFTER UPDATE ON executions
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION executions_pending_delta()
                """,
            ]
        ),
        // Rate limits decided for a whole batch of requests in one call
        // (PostgresRateLimiter): the GCRA of GCRA.evaluate, request by request
        // in arrival order, with each key's row locked once and written once.
        // Callers pass the keys sorted, so every batch locks rows in the same
        // order and two batches cannot deadlock.
        (
            4,
            [
                """
                CREATE FUNCTION rate_limit_acquire(
                    keys TEXT[], nows DOUBLE PRECISION[], intervals DOUBLE PRECISION[], tolerances DOUBLE PRECISION[])
                RETURNS TABLE (allowed_out BOOLEAN, tat_out DOUBLE PRECISION) LANGUAGE plpgsql AS $$
                DECLARE
                    current_key TEXT := NULL;
                    current_tat DOUBLE PRECISION;
                    changed BOOLEAN := false;
                    next_tat DOUBLE PRECISION;
                BEGIN
                    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
                        IF current_key IS DISTINCT FROM keys[i] THEN
                            IF changed THEN
                                UPDATE rate_limits SET tat = current_tat WHERE key = current_key;
                            END IF;
                            current_key := keys[i];
                            changed := false;
                            INSERT INTO rate_limits (key, tat) VALUES (current_key, 0) ON CONFLICT (key) DO NOTHING;
                            SELECT r.tat INTO current_tat FROM rate_limits r WHERE r.key = current_key FOR UPDATE;
                        END IF;
                        next_tat := GREATEST(current_tat, nows[i]) + intervals[i];
                        IF next_tat - tolerances[i] <= nows[i] + 1e-9 THEN
                            current_tat := next_tat;
                            changed := true;
                            allowed_out := true;
                        ELSE
                            allowed_out := false;
                        END IF;
                        tat_out := current_tat;
                        RETURN NEXT;
                    END LOOP;
                    IF changed THEN
                        UPDATE rate_limits SET tat = current_tat WHERE key = current_key;
                    END IF;
                END $$
                """
            ]
        ),
        // Version 4's function for requests with more than one check (a
        // webhook's limit, then its team's): a check is decided only if the
        // check it comes `after` (its 1-based position, 0 for none) was
        // allowed; otherwise its outcome is -1 and nothing is charged
        // (1 allowed, 0 refused). The answer is one row of arrays, in the
        // order of the arguments, rather than a row per check. Version 4's
        // function stays for nodes not yet upgraded.
        (
            5,
            [
                """
                CREATE FUNCTION rate_limit_acquire_chained(
                    keys TEXT[], nows DOUBLE PRECISION[], intervals DOUBLE PRECISION[], tolerances DOUBLE PRECISION[], after INTEGER[])
                RETURNS TABLE (outcomes SMALLINT[], tats DOUBLE PRECISION[]) LANGUAGE plpgsql AS $$
                DECLARE
                    n INTEGER := coalesce(array_length(keys, 1), 0);
                    current_key TEXT := NULL;
                    current_tat DOUBLE PRECISION;
                    changed BOOLEAN := false;
                    next_tat DOUBLE PRECISION;
                BEGIN
                    outcomes := '{}'::SMALLINT[];
                    tats := '{}'::DOUBLE PRECISION[];
                    FOR i IN 1 .. n LOOP
                        IF after[i] > 0 AND outcomes[after[i]] <> 1 THEN
                            outcomes[i] := -1;
                            tats[i] := 0;
                            CONTINUE;
                        END IF;
                        IF current_key IS DISTINCT FROM keys[i] THEN
                            IF changed THEN
                                UPDATE rate_limits SET tat = current_tat WHERE key = current_key;
                            END IF;
                            current_key := keys[i];
                            changed := false;
                            -- The row is there but for a key's first request ever: no insert attempt for the rest.
                            SELECT r.tat INTO current_tat FROM rate_limits r WHERE r.key = current_key FOR UPDATE;
                            IF NOT FOUND THEN
                                INSERT INTO rate_limits (key, tat) VALUES (current_key, 0) ON CONFLICT (key) DO NOTHING;
                                SELECT r.tat INTO current_tat FROM rate_limits r WHERE r.key = current_key FOR UPDATE;
                            END IF;
                        END IF;
                        next_tat := GREATEST(current_tat, nows[i]) + intervals[i];
                        IF next_tat - tolerances[i] <= nows[i] + 1e-9 THEN
                            current_tat := next_tat;
                            changed := true;
                            outcomes[i] := 1;
                        ELSE
                            outcomes[i] := 0;
                        END IF;
                        tats[i] := current_tat;
                    END LOOP;
                    IF changed THEN
                        UPDATE rate_limits SET tat = current_tat WHERE key = current_key;
                    END IF;
                    RETURN NEXT;
                END $$
                """
            ]
        ),
        // A batch of webhooks in one call (PostgresStore.commitIngest): the
        // key claims, the backlog bound, the inserts and the notification,
        // as one statement and so one transaction, with the plans kept by
        // the function. The same steps, in the same order, as the five
        // statements of an explicit transaction it replaces (each one a round
        // trip, a parse and a plan). Arguments are one array element per
        // request, in batch order; absent optional values are empty strings.
        // Outcomes: 0 accepted, 1 replayed (`replays` holds the execution),
        // 2 conflict, 3 backlog full.
        (
            6,
            [
                PostgresIngestBatch.function(keepingRequestLogs: false)
            ]
        ),
        // The number of steps of a definition, as AutomationDefinition.stepCount
        // counts them (branches included), so that a claim can set it in
        // the same statement that pins the definition. Text that is not a
        // definition counts 0, as it parses to the empty one in Swift.
        (
            7,
            [
                """
                CREATE FUNCTION definition_step_count(steps JSONB) RETURNS INTEGER LANGUAGE plpgsql IMMUTABLE AS $$
                DECLARE
                    total INTEGER := 0;
                    step JSONB;
                BEGIN
                    IF steps IS NULL OR jsonb_typeof(steps) <> 'array' THEN RETURN 0; END IF;
                    FOR step IN SELECT jsonb_array_elements(steps) LOOP
                        total := total + 1;
                        IF jsonb_typeof(step) = 'object' THEN
                            total := total + definition_step_count(step->'then') + definition_step_count(step->'otherwise');
                        END IF;
                    END LOOP;
                    RETURN total;
                END $$
                """,
                """
                CREATE FUNCTION definition_text_step_count(definition TEXT) RETURNS INTEGER LANGUAGE plpgsql IMMUTABLE AS $$
                BEGIN
                    RETURN definition_step_count(definition::jsonb->'steps');
                EXCEPTION WHEN others THEN
                    RETURN 0;
                END $$
                """,
            ]
        ),
        // Two costs of every claim, measured in the drain (a profile of the
        // PostgreSQL backends): the statement-level update trigger ran twice
        // per turn's end (for the finishing update and for the claim), each
        // time capturing transition tables and joining them, mostly to find
        // a delta of zero; and the first claim parsed the pinned definition
        // in PL/pgSQL, inside an exception block (a subtransaction), to count
        // its steps. The update trigger now fires per row, and only when a
        // row enters or leaves `pending` (its WHEN clause is evaluated without
        // calling the function); the step count is kept beside the
        // definition, written by the store with it (Swift's count, which the
        // claim's reader checks anyway).
        (
            8,
            [
                "DROP TRIGGER executions_pending_update ON executions",
                """
                CREATE FUNCTION executions_pending_row_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO team_pending_slots AS s (team_id, slot, count)
                    VALUES (NEW.team_id, pg_backend_pid() % 16, CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END)
                    ON CONFLICT (team_id, slot) DO UPDATE SET count = s.count + EXCLUDED.count;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER executions_pending_update AFTER UPDATE OF status ON executions
                FOR EACH ROW WHEN ((OLD.status = 'pending') IS DISTINCT FROM (NEW.status = 'pending'))
                EXECUTE FUNCTION executions_pending_row_delta()
                """,
                "ALTER TABLE automations ADD COLUMN step_count INTEGER",
                "UPDATE automations SET step_count = definition_text_step_count(definition)",
            ]
        ),
        // Samples are bounded (AutomationSample.maxBytes): the ingest
        // function keeps each automation's latest payload, and this trigger
        // skips one that is too large, so the function itself is unchanged.
        // Oversized samples kept before are removed.
        (
            9,
            [
                """
                CREATE FUNCTION automation_samples_bounded() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF octet_length(NEW.body) > \(AutomationSample.maxBytes) THEN RETURN NULL; END IF;
                    RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER automation_samples_bounded BEFORE INSERT OR UPDATE ON automation_samples
                FOR EACH ROW EXECUTE FUNCTION automation_samples_bounded()
                """,
                "DELETE FROM automation_samples WHERE octet_length(body) > \(AutomationSample.maxBytes)",
            ]
        ),
        // The object a call was created with: its id to read its data when
        // the call ends, its type and key to show the link.
        (
            10,
            [
                "ALTER TABLE calls ADD COLUMN object_id TEXT",
                "ALTER TABLE calls ADD COLUMN object_type TEXT",
                "ALTER TABLE calls ADD COLUMN object_key TEXT",
            ]
        ),
        // Each HTTP attempt of a step (`StepAttemptLog`, as JSON text): what
        // a receiver answered on every try, not only the last error.
        (
            11,
            [
                "ALTER TABLE execution_steps ADD COLUMN attempt_log TEXT"
            ]
        ),
        // Fair claims and concurrency caps (PostgresStore.claimExecution).
        // Pending rows by team, automation and run_at, so that the next
        // team, the next automation and an automation's oldest due row are
        // each one index probe; rows in flight, so that counting them against
        // a cap reads at most a cap's worth of entries; each team's
        // automation round-robin cursor per lock stripe, shared by the nodes
        // (advanced under the stripe's lock, so it is no extra contention);
        // and the claim itself as a function, which counts under striped
        // advisory locks, each statement after a lock with a new snapshot
        // (READ COMMITTED, a VOLATILE function), so that the counts see
        // every claim committed before, on any node (PostgresClaimFunction).
        (
            12,
            [
                "CREATE INDEX executions_fair ON executions(team_id, automation_id, run_at, id) WHERE status = 'pending'",
                "CREATE INDEX executions_in_flight ON executions(team_id, automation_id) WHERE status = 'processing' AND wait_reason IS NULL",
                "CREATE TABLE claim_cursors (team_id TEXT NOT NULL, stripe INTEGER NOT NULL, automation_id TEXT NOT NULL, PRIMARY KEY (team_id, stripe))",
                PostgresClaimFunction.create,
            ]
        ),
        // Whose id a replay from the failed step sends in its steps'
        // Idempotency-Keys (null: its own).
        (13, ["ALTER TABLE executions ADD COLUMN step_keys_from TEXT"]),
        // Each automation's `concurrency` beside its definition (NULL: the
        // default), written with it, so that `claim_execution` reads a column
        // instead of casting the definition to jsonb on every claim (which
        // cost each claim a parse, and failed every claim once one
        // definition was not valid JSON). Backfilled through a cast that
        // reads a corrupt definition as no cap instead of failing.
        (
            14,
            [
                "ALTER TABLE automations ADD COLUMN concurrency INTEGER",
                """
                CREATE FUNCTION voxworks_try_jsonb(text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
                BEGIN
                    RETURN $1::jsonb;
                EXCEPTION WHEN others THEN
                    RETURN NULL;
                END $$
                """,
                """
                UPDATE automations SET concurrency = (d.value::text)::integer
                FROM (SELECT id, voxworks_try_jsonb(definition) -> 'concurrency' AS value FROM automations) AS d
                WHERE d.id = automations.id AND jsonb_typeof(d.value) = 'number'
                    AND (d.value::text)::numeric BETWEEN \(ConcurrencyLimit.range.lowerBound) AND \(ConcurrencyLimit.range.upperBound)
                    AND (d.value::text)::numeric = trunc((d.value::text)::numeric)
                """,
                "DROP FUNCTION voxworks_try_jsonb(text)",
                PostgresClaimFunction.create,
            ]
        ),
        // Bulk replay (BulkReplayStore): a job row, and the executions it
        // matched when it was made, each with its state, so that a job
        // resumed after a restart replays none twice; a lease on the job
        // row lets one node work it at a time. `resolved_by` links an
        // execution to the replay that completed it.
        (
            15,
            [
                "ALTER TABLE executions ADD COLUMN resolved_by TEXT",
                """
                CREATE TABLE bulk_replays (
                    id TEXT PRIMARY KEY, team_id TEXT NOT NULL REFERENCES teams(id), idempotency_key TEXT, filter TEXT NOT NULL,
                    from_step TEXT NOT NULL, status TEXT NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, finished_at BIGINT, lease_owner TEXT,
                    lease_expires_at BIGINT)
                """,
                "CREATE UNIQUE INDEX bulk_replays_by_key ON bulk_replays(team_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
                "CREATE INDEX bulk_replays_running ON bulk_replays(created_at) WHERE status = 'running'",
                """
                CREATE TABLE bulk_replay_items (
                    bulk_id TEXT NOT NULL REFERENCES bulk_replays(id), execution_id TEXT NOT NULL,
                    state SMALLINT NOT NULL DEFAULT 0, replay_id TEXT, error TEXT, PRIMARY KEY (bulk_id, execution_id))
                """,
                "CREATE INDEX bulk_replay_items_open ON bulk_replay_items(bulk_id, state, execution_id)",
                // Open dead letters (queueStats, /metrics), counted from this index.
                "CREATE INDEX executions_open_dead_letters ON executions(status, resolved_by) WHERE status = 'dead_letter' AND resolved_by IS NULL",
            ]
        ),
        // Keys get a visible prefix (to tell them apart in a list) and a
        // last use, written at most once a minute per key.
        (
            16,
            [
                "ALTER TABLE api_keys ADD COLUMN prefix TEXT",
                "ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT",
                "CREATE INDEX api_keys_by_team ON api_keys(team_id, created_at)",
            ]
        ),
        // The request log (RequestLogStore): every request to a known token,
        // accepted or refused. Listed newest first by team, optionally by
        // automation or status; linked from an execution; swept by age.
        (
            17,
            [
                """
                CREATE TABLE request_log (
                    id TEXT PRIMARY KEY,
                    team_id TEXT NOT NULL,
                    automation_id TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    status INTEGER NOT NULL,
                    message TEXT,
                    execution_id TEXT,
                    idempotency_key TEXT,
                    source_ip TEXT,
                    duration_ms INTEGER NOT NULL,
                    method TEXT NOT NULL,
                    content_type TEXT,
                    headers TEXT NOT NULL,
                    body BYTEA NOT NULL,
                    body_bytes INTEGER NOT NULL
                )
                """,
                "CREATE INDEX request_log_team ON request_log(team_id, id)",
                "CREATE INDEX request_log_automation ON request_log(team_id, automation_id, id)",
                "CREATE INDEX request_log_status ON request_log(team_id, status, id)",
                "CREATE INDEX request_log_execution ON request_log(execution_id) WHERE execution_id IS NOT NULL",
                "CREATE INDEX request_log_received ON request_log(received_at)",
            ]
        ),
        // Verification schemes (issue #20): the webhook's scheme and its
        // non-secret settings as JSON, `webhook.accept` (NULL: the scheme's
        // default), and each secret's format: 0 a service-generated voxworks
        // key (the rows from before), 1 a sealed credential as JSON. A
        // webhook with secrets and no scheme is read as voxworks.
        (
            18,
            [
                "ALTER TABLE webhooks ADD COLUMN verification TEXT",
                "ALTER TABLE webhooks ADD COLUMN accept TEXT",
                "ALTER TABLE webhook_secrets ADD COLUMN credential_format INTEGER NOT NULL DEFAULT 0",
            ]
        ),
        // The request log's row for an accepted webhook costs only the
        // table and the indexes every listing needs (as SQLite's
        // v16_request_log_thin_indexes): a created execution's record
        // takes the execution's id, only replays are in the execution
        // index, the status index leaves out the `202`s, and retention
        // deletes by the time-ordered id.
        (
            21,
            [
                "DROP INDEX request_log_status",
                "DROP INDEX request_log_execution",
                "DROP INDEX request_log_received",
                "CREATE INDEX request_log_status ON request_log(team_id, status, id) WHERE status <> 202",
                """
                CREATE INDEX request_log_replays ON request_log(execution_id)
                    WHERE execution_id IS NOT NULL AND execution_id <> id
                """,
            ]
        ),
        // The record of a request that created an execution is kept with
        // the execution (as SQLite's v17_execution_request_log), written by
        // `ingest_batch`, which takes one more array. The older overload
        // stays for nodes not yet upgraded (they write log rows instead).
        (
            22,
            [
                "ALTER TABLE executions ADD COLUMN request_log TEXT",
                PostgresIngestBatch.function(keepingRequestLogs: true),
            ]
        ),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                    logger: logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(
                    Int.self)
                {
                    applied.insert(version)
                }
                for step in steps where !applied.contains(step.version) {
                    try await connection.withTransaction(logger: logger) { transaction in
                        for statement in step.sql {
                            try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        try await transaction.query(
                            "INSERT INTO schema_migrations (version, applied_at) VALUES (\(step.version), \(now))", logger: logger)
                    }
                    logger.info("applied migration", metadata: ["version": "\(step.version)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
        }
    }
}

import Foundation
