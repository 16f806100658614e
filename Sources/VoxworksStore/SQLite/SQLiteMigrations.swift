import GRDB
import VoxworksCore

/// The SQLite schema, one registered migration per version. Migrations
/// only ever get appended: a released one is never edited.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_ingestion") { db in
            try db.execute(
                sql: """
                    CREATE TABLE teams (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        -- Kept by triggers so the backlog check on the webhook path
                        -- is one row read, not a count over the queue.
                        pending_count INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL REFERENCES teams(id),
                        key_hash TEXT NOT NULL UNIQUE,
                        label TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE automations (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL REFERENCES teams(id),
                        name TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        definition TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        -- Soft delete: executions keep pointing at their automation.
                        deleted_at INTEGER
                    );
                    CREATE INDEX automations_by_team ON automations(team_id, id);
                    CREATE TABLE webhooks (
                        id TEXT PRIMARY KEY NOT NULL,
                        automation_id TEXT NOT NULL UNIQUE REFERENCES automations(id),
                        team_id TEXT NOT NULL REFERENCES teams(id),
                        token TEXT NOT NULL,
                        -- Lookups go by the token's SHA-256 so their timing cannot
                        -- depend on how much of a guessed token matched.
                        token_hash TEXT NOT NULL UNIQUE,
                        rate_per_second REAL NOT NULL,
                        rate_burst INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE webhook_secrets (
                        id TEXT PRIMARY KEY NOT NULL,
                        webhook_id TEXT NOT NULL REFERENCES webhooks(id),
                        sealed_key BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER
                    );
                    CREATE INDEX webhook_secrets_by_webhook ON webhook_secrets(webhook_id);
                    CREATE TABLE executions (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        automation_id TEXT NOT NULL,
                        webhook_id TEXT,
                        status TEXT NOT NULL,
                        body BLOB NOT NULL,
                        content_type TEXT,
                        idempotency_key TEXT,
                        source_address TEXT,
                        received_at INTEGER NOT NULL,
                        attempt INTEGER NOT NULL DEFAULT 0,
                        started_at INTEGER,
                        finished_at INTEGER,
                        error TEXT,
                        replay_of TEXT,
                        steps_total INTEGER NOT NULL DEFAULT 0,
                        steps_completed INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX executions_by_team ON executions(team_id, id);
                    CREATE INDEX executions_by_team_automation ON executions(team_id, automation_id, id);
                    CREATE INDEX executions_by_team_status ON executions(team_id, status, id);
                    CREATE TABLE idempotency_records (
                        webhook_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        fingerprint BLOB NOT NULL,
                        execution_id TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        PRIMARY KEY (webhook_id, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX idempotency_records_by_expiry ON idempotency_records(expires_at);
                    CREATE TRIGGER executions_pending_insert AFTER INSERT ON executions
                    WHEN NEW.status = 'pending' BEGIN
                        UPDATE teams SET pending_count = pending_count + 1 WHERE id = NEW.team_id;
                    END;
                    CREATE TRIGGER executions_pending_update AFTER UPDATE OF status ON executions
                    WHEN (OLD.status = 'pending') <> (NEW.status = 'pending') BEGIN
                        UPDATE teams SET pending_count = pending_count
                            + (CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END) WHERE id = NEW.team_id;
                    END;
                    CREATE TRIGGER executions_pending_delete AFTER DELETE ON executions
                    WHEN OLD.status = 'pending' BEGIN
                        UPDATE teams SET pending_count = pending_count - 1 WHERE id = OLD.team_id;
                    END;
                    """)
        }
        migrator.registerMigration("v2_engine") { db in
            try db.execute(
                sql: """
                    -- When a pending execution may run (retry backoff) or a waiting one wakes (delay).
                    ALTER TABLE executions ADD COLUMN run_at INTEGER;
                    ALTER TABLE executions ADD COLUMN lease_owner TEXT;
                    ALTER TABLE executions ADD COLUMN lease_expires_at INTEGER;
                    -- 'delay' or 'call' while processing with no worker holding it.
                    ALTER TABLE executions ADD COLUMN wait_reason TEXT;
                    -- The context after the last completed step: where a retry resumes.
                    ALTER TABLE executions ADD COLUMN context TEXT;
                    -- The definition as of the first run, so retries run the same steps.
                    ALTER TABLE executions ADD COLUMN definition TEXT;
                    ALTER TABLE executions ADD COLUMN trigger_type TEXT NOT NULL DEFAULT 'webhook';
                    UPDATE executions SET run_at = received_at WHERE run_at IS NULL;
                    CREATE INDEX executions_due ON executions(status, run_at);
                    CREATE INDEX executions_leased ON executions(lease_expires_at) WHERE lease_owner IS NOT NULL;
                    CREATE TABLE execution_steps (
                        execution_id TEXT NOT NULL,
                        step_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        status TEXT NOT NULL,
                        started_at INTEGER,
                        finished_at INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        input TEXT,
                        output TEXT,
                        error TEXT,
                        PRIMARY KEY (execution_id, step_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE contacts (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        phone_number TEXT,
                        first_name TEXT, last_name TEXT, email TEXT, title TEXT, address TEXT, location TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX contacts_by_phone ON contacts(team_id, phone_number) WHERE phone_number IS NOT NULL;
                    CREATE INDEX contacts_by_email ON contacts(team_id, email);
                    CREATE TABLE objects (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        object_type TEXT NOT NULL,
                        object_key TEXT NOT NULL,
                        data TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (team_id, object_type, object_key)
                    );
                    CREATE TABLE calls (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        contact_id TEXT,
                        execution_id TEXT,
                        step_id TEXT,
                        type TEXT NOT NULL,
                        progress TEXT NOT NULL,
                        status TEXT,
                        from_number TEXT NOT NULL,
                        to_number TEXT NOT NULL,
                        script_id TEXT NOT NULL,
                        scheduled_time INTEGER NOT NULL,
                        started_at INTEGER, ended_at INTEGER, duration INTEGER, end_reason TEXT,
                        call_summary TEXT, structured_data TEXT, success_evaluation TEXT, rating INTEGER,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX calls_due ON calls(progress, scheduled_time);
                    CREATE INDEX calls_by_team ON calls(team_id, id);
                    CREATE TABLE automation_samples (
                        automation_id TEXT PRIMARY KEY NOT NULL,
                        body BLOB NOT NULL,
                        received_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3_operations") { db in
            // "Finished in the last hour" for /metrics and `voxworks status`.
            try db.execute(sql: "CREATE INDEX executions_finished ON executions(finished_at) WHERE finished_at IS NOT NULL")
        }
        migrator.registerMigration("v4_public_api") { db in
            try db.execute(
                sql: """
                    ALTER TABLE calls ADD COLUMN transcript TEXT;
                    ALTER TABLE calls ADD COLUMN recording_url TEXT;
                    ALTER TABLE calls ADD COLUMN objectives TEXT;
                    CREATE INDEX contacts_by_team ON contacts(team_id, id);
                    CREATE TABLE lists (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX lists_by_team ON lists(team_id, id);
                    CREATE TABLE list_members (
                        list_id TEXT NOT NULL,
                        contact_id TEXT NOT NULL,
                        added_at INTEGER NOT NULL,
                        PRIMARY KEY (list_id, contact_id)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v5_console_sessions") { db in
            // The web console's sign-ins: the SHA-256 of the cookie's token, never the token.
            try db.execute(
                sql: """
                    CREATE TABLE console_sessions (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL,
                        api_key_hash TEXT NOT NULL,
                        csrf_token TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
                    """)
        }
        migrator.registerMigration("v6_bounded_samples") { db in
            // Samples are bounded now; an oversized one kept before would
            // still be read on every visit to its automation's page.
            try db.execute(sql: "DELETE FROM automation_samples WHERE length(body) > ?", arguments: [AutomationSample.maxBytes])
        }
        migrator.registerMigration("v7_call_objects") { db in
            // The object a call was created with: its id to read its data
            // when the call ends, its type and key to show the link.
            try db.execute(
                sql: """
                    ALTER TABLE calls ADD COLUMN object_id TEXT;
                    ALTER TABLE calls ADD COLUMN object_type TEXT;
                    ALTER TABLE calls ADD COLUMN object_key TEXT;
                    """)
        }
        migrator.registerMigration("v8_step_attempts") { db in
            // Each HTTP attempt of a step (`StepAttemptLog`, as JSON): what
            // a receiver answered on every try, not only the last error.
            try db.execute(sql: "ALTER TABLE execution_steps ADD COLUMN attempt_log TEXT")
        }
        migrator.registerMigration("v9_fair_claims") { db in
            // Fair claims (SQLiteStore.fairPending): pending rows by team,
            // automation and run_at, so that the next team, the next
            // automation and an automation's oldest due row are each one
            // seek; and the rows in flight, so that counting them against
            // a concurrency cap reads at most a cap's worth of entries.
            try db.execute(
                sql: """
                    CREATE INDEX executions_fair ON executions(team_id, automation_id, run_at, id) WHERE status = 'pending';
                    CREATE INDEX executions_in_flight ON executions(team_id, automation_id)
                        WHERE status = 'processing' AND wait_reason IS NULL;
                    """)
        }
        migrator.registerMigration("v10_step_keys") { db in
            // Whose id a replay from the failed step sends in its steps'
            // Idempotency-Keys (null: its own).
            try db.execute(sql: "ALTER TABLE executions ADD COLUMN step_keys_from TEXT")
        }
        // Each automation's `concurrency` beside its definition (NULL: the
        // default), so that the fair claim reads a column, not JSON: parsing
        // it cost every claim, and one corrupt definition failed them all.
        migrator.registerMigration("v11_automation_concurrency") { db in
            try db.execute(sql: "ALTER TABLE automations ADD COLUMN concurrency INTEGER")
            try db.execute(
                sql: """
                    UPDATE automations SET concurrency = json_extract(definition, '$.concurrency')
                    WHERE json_valid(definition) AND json_type(definition, '$.concurrency') = 'integer'
                        AND json_extract(definition, '$.concurrency') BETWEEN \(ConcurrencyLimit.range.lowerBound) AND \(ConcurrencyLimit.range.upperBound)
                    """)
        }
        // Bulk replay (BulkReplayStore): a job row, and the executions it
        // matched when it was made, each with its state, so that a job
        // resumed after a restart replays none twice. `resolved_by` links
        // an execution to the replay that completed it.
        migrator.registerMigration("v12_bulk_replay") { db in
            try db.execute(
                sql: """
                    ALTER TABLE executions ADD COLUMN resolved_by TEXT;
                    CREATE TABLE bulk_replays (
                        id TEXT PRIMARY KEY NOT NULL,
                        team_id TEXT NOT NULL REFERENCES teams(id),
                        idempotency_key TEXT,
                        filter TEXT NOT NULL,
                        from_step TEXT NOT NULL,
                        status TEXT NOT NULL,
                        total INTEGER NOT NULL,
                        done INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        finished_at INTEGER,
                        lease_owner TEXT,
                        lease_expires_at INTEGER
                    );
                    CREATE UNIQUE INDEX bulk_replays_by_key ON bulk_replays(team_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX bulk_replays_running ON bulk_replays(created_at) WHERE status = 'running';
                    CREATE TABLE bulk_replay_items (
                        bulk_id TEXT NOT NULL REFERENCES bulk_replays(id),
                        execution_id TEXT NOT NULL,
                        -- 0 to do, 1 replay id chosen (the replay may exist), 2 replayed, 3 failed
                        state INTEGER NOT NULL DEFAULT 0,
                        replay_id TEXT,
                        error TEXT,
                        PRIMARY KEY (bulk_id, execution_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX bulk_replay_items_open ON bulk_replay_items(bulk_id, state, execution_id);
                    -- Open dead letters (queueStats, /metrics), counted from this index alone.
                    CREATE INDEX executions_open_dead_letters ON executions(status, resolved_by) WHERE status = 'dead_letter' AND resolved_by IS NULL;
                    """)
        }
        // Keys get a visible prefix (to tell them apart in a list) and a
        // last use, written at most once a minute per key.
        migrator.registerMigration("v13_api_key_names") { db in
            try db.execute(
                sql: """
                    ALTER TABLE api_keys ADD COLUMN prefix TEXT;
                    ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
                    CREATE INDEX api_keys_by_team ON api_keys(team_id, created_at);
                    """)
        }
        // The request log (RequestLogStore): every request to a known token,
        // accepted or refused. Listed newest first by team, optionally by
        // automation or status; linked from an execution; swept by age.
        migrator.registerMigration("v14_request_log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE request_log (
                        id TEXT PRIMARY KEY,
                        team_id TEXT NOT NULL,
                        automation_id TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        status INTEGER NOT NULL,
                        message TEXT,
                        execution_id TEXT,
                        idempotency_key TEXT,
                        source_ip TEXT,
                        duration_ms INTEGER NOT NULL,
                        method TEXT NOT NULL,
                        content_type TEXT,
                        headers TEXT NOT NULL,
                        body BLOB NOT NULL,
                        body_bytes INTEGER NOT NULL
                    );
                    CREATE INDEX request_log_team ON request_log(team_id, id);
                    CREATE INDEX request_log_automation ON request_log(team_id, automation_id, id);
                    CREATE INDEX request_log_status ON request_log(team_id, status, id);
                    CREATE INDEX request_log_execution ON request_log(execution_id) WHERE execution_id IS NOT NULL;
                    CREATE INDEX request_log_received ON request_log(received_at);
                    """)
        }
        // Verification schemes (issue #20): the webhook's scheme and its
        // non-secret settings as JSON, and `webhook.accept` (NULL: the
        // scheme's default). A secret row is either a service-generated
        // voxworks key (format 0, the rows from before) or a sealed
        // credential as the provider shows it (format 1, JSON). A webhook
        // with secrets and no scheme is read as voxworks, so existing
        // signing secrets keep working without a rewrite (unsealing needs
        // the master key, which a migration does not have).
        migrator.registerMigration("v15_verification_schemes") { db in
            try db.execute(sql: "ALTER TABLE webhooks ADD COLUMN verification TEXT")
            try db.execute(sql: "ALTER TABLE webhooks ADD COLUMN accept TEXT")
            try db.execute(sql: "ALTER TABLE webhook_secrets ADD COLUMN credential_format INTEGER NOT NULL DEFAULT 0")
        }
        // The request log's row for an accepted webhook costs only the
        // table and the indexes every listing needs: the record of a
        // request that created an execution takes the execution's id, so
        // the execution finds it by primary key and only replays need the
        // execution index; the status index leaves out the plain `202`s
        // (almost every row; a `status=202` filter reads the team's index);
        // retention deletes by the time-ordered id instead of an index on
        // `received_at`.
        migrator.registerMigration("v16_request_log_thin_indexes") { db in
            try db.execute(
                sql: """
                    DROP INDEX request_log_status;
                    DROP INDEX request_log_execution;
                    DROP INDEX request_log_received;
                    CREATE INDEX request_log_status ON request_log(team_id, status, id) WHERE status <> 202;
                    CREATE INDEX request_log_replays ON request_log(execution_id)
                        WHERE execution_id IS NOT NULL AND execution_id <> id;
                    """)
        }
        // The record of a request that created an execution is kept with
        // the execution (ExecutionRequestLog, as JSON), written by the
        // ingest commit itself: no second row per accepted webhook.
        migrator.registerMigration("v17_execution_request_log") { db in
            try db.execute(sql: "ALTER TABLE executions ADD COLUMN request_log TEXT")
        }
        return migrator
    }
}
