import VoxworksCore

/// The claim as a PL/pgSQL function, `claim_execution(worker, now, lease,
/// after_team, team_cap, default_cap)`: one round trip, one commit (the
/// statement that calls it), answering the leased row or none.
///
/// 1. A wait that is due, first: it was admitted already and holds its
///    attempt (`FOR UPDATE SKIP LOCKED`, as before).
/// 2. Otherwise the teams with pending work, in id order after
///    `after_team` (the team this node served last), wrapping around; a
///    team without due work is passed over after one look (every probe
///    is ordered as `executions_fair`, so that the planner reads that
///    index, which holds pending rows only, and not one holding the
///    finished rows too). The first team
///    with due work is locked (`pg_advisory_xact_lock`, until the
///    statement commits): every claim of that team, on every node, waits
///    for it, so counting the team's executions in flight and claiming one
///    cannot interleave with another claim. Later teams are only tried
///    (`pg_try_advisory_xact_lock`): a claim waits only while it holds no
///    lock, so claims cannot deadlock. Each statement after the lock takes
///    a new snapshot (READ COMMITTED, VOLATILE), so the counts see the
///    claims committed before the lock was granted.
/// 3. Under the lock: the team's in-flight count against `team_cap`; then
///    its automations in id order after the team's cursor, wrapping; for
///    each with due work, its in-flight count against its `concurrency`
///    (read from its definition, `default_cap` when absent), then its
///    oldest due row (run_at, id; `SKIP LOCKED`), which is leased, and the
///    team's cursor is moved to that automation.
///
/// A pending row's `wait_reason` is read and answered as `resumed_from`
/// (a deferred execution spends no attempt), as for a wait.
enum PostgresClaimFunction {
    /// Identifies the claim's advisory locks (the first key; the team's hash is the second).
    static let lockSpace: Int32 = 0x766F_7863
    /// Probes one claim may make (a bound on its work when many teams or
    /// automations are all at their caps).
    static let probeLimit = 2_000

    static let create = """
        CREATE FUNCTION claim_execution(
            worker TEXT, now_ms BIGINT, lease BIGINT, after_team TEXT, team_cap INTEGER, default_cap INTEGER)
        RETURNS TABLE (
            id TEXT, team_id TEXT, automation_id TEXT, status TEXT, body BYTEA, content_type TEXT, idempotency_key TEXT,
            source_address TEXT, received_at BIGINT, attempt INTEGER, started_at BIGINT, finished_at BIGINT, error TEXT,
            replay_of TEXT, steps_total INTEGER, steps_completed INTEGER, step_keys_from TEXT, definition TEXT, context TEXT, trigger_type TEXT,
            resumed_from TEXT)
        LANGUAGE plpgsql VOLATILE AS $$
        #variable_conflict use_column
        DECLARE
            chosen TEXT;
            reason TEXT;
            team TEXT := after_team;
            team_wrapped BOOLEAN := after_team = '';
            next_team TEXT;
            automation TEXT;
            automation_start TEXT;
            automation_wrapped BOOLEAN;
            next_automation TEXT;
            holds_lock BOOLEAN := false;
            cap INTEGER;
            cap_number NUMERIC;
            probes INTEGER := 0;
        BEGIN
            SELECT e.id, e.wait_reason INTO chosen, reason FROM executions e
            WHERE e.status = 'processing' AND e.wait_reason IS NOT NULL AND e.run_at <= now_ms
            ORDER BY e.run_at LIMIT 1 FOR UPDATE SKIP LOCKED;
            <<teams>>
            WHILE chosen IS NULL AND probes < \(probeLimit) LOOP
                probes := probes + 1;
                next_team := NULL;
                SELECT e.team_id INTO next_team FROM executions e
                WHERE e.status = 'pending' AND e.team_id > team ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1;
                IF next_team IS NULL THEN
                    EXIT WHEN team_wrapped;
                    team_wrapped := true;
                    team := '';
                    CONTINUE;
                END IF;
                EXIT WHEN team_wrapped AND after_team <> '' AND next_team > after_team;
                team := next_team;
                -- Any due work at all (this snapshot), before waiting for the team's lock.
                PERFORM 1 FROM executions e WHERE e.status = 'pending' AND e.team_id = team AND e.run_at <= now_ms
                ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1;
                CONTINUE WHEN NOT FOUND;
                IF holds_lock THEN
                    CONTINUE WHEN NOT pg_try_advisory_xact_lock(\(lockSpace), hashtext(team));
                ELSE
                    PERFORM pg_advisory_xact_lock(\(lockSpace), hashtext(team));
                    holds_lock := true;
                END IF;
                CONTINUE WHEN (SELECT count(*) FROM (
                    SELECT 1 FROM executions e
                    WHERE e.status = 'processing' AND e.wait_reason IS NULL AND e.team_id = team LIMIT team_cap) AS f) >= team_cap;
                automation_start := COALESCE((SELECT c.automation_id FROM claim_cursors c WHERE c.team_id = team), '');
                automation := automation_start;
                automation_wrapped := automation_start = '';
                LOOP
                    probes := probes + 1;
                    EXIT teams WHEN probes >= \(probeLimit);
                    next_automation := NULL;
                    SELECT e.automation_id INTO next_automation FROM executions e
                    WHERE e.status = 'pending' AND e.team_id = team AND e.automation_id > automation
                    ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1;
                    IF next_automation IS NULL THEN
                        EXIT WHEN automation_wrapped;
                        automation_wrapped := true;
                        automation := '';
                        CONTINUE;
                    END IF;
                    EXIT WHEN automation_wrapped AND automation_start <> '' AND next_automation > automation_start;
                    automation := next_automation;
                    PERFORM 1 FROM executions e
                    WHERE e.status = 'pending' AND e.team_id = team AND e.automation_id = automation AND e.run_at <= now_ms
                    ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1;
                    CONTINUE WHEN NOT FOUND;
                    -- The definition's `concurrency` as ConcurrencyLimit.automation reads it.
                    cap_number := (SELECT CASE WHEN jsonb_typeof(d.value) = 'number' THEN d.value::text::numeric END
                        FROM (SELECT a.definition::jsonb -> 'concurrency' AS value FROM automations a WHERE a.id = automation) AS d);
                    cap := CASE
                        WHEN cap_number BETWEEN \(ConcurrencyLimit.range.lowerBound) AND \(ConcurrencyLimit.range.upperBound)
                            AND cap_number = trunc(cap_number) THEN cap_number::integer
                        ELSE default_cap END;
                    CONTINUE WHEN (SELECT count(*) FROM (
                        SELECT 1 FROM executions e
                        WHERE e.status = 'processing' AND e.wait_reason IS NULL AND e.team_id = team AND e.automation_id = automation
                        LIMIT cap) AS f) >= cap;
                    SELECT e.id, e.wait_reason INTO chosen, reason FROM executions e
                    WHERE e.status = 'pending' AND e.team_id = team AND e.automation_id = automation AND e.run_at <= now_ms
                    ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1 FOR UPDATE SKIP LOCKED;
                    IF chosen IS NOT NULL THEN
                        INSERT INTO claim_cursors AS c (team_id, automation_id) VALUES (team, automation)
                        ON CONFLICT (team_id) DO UPDATE SET automation_id = EXCLUDED.automation_id;
                        EXIT teams;
                    END IF;
                END LOOP;
            END LOOP;
            IF chosen IS NULL THEN
                RETURN;
            END IF;
            RETURN QUERY
            UPDATE executions e SET status = 'processing', lease_owner = worker, lease_expires_at = lease,
                wait_reason = NULL, run_at = NULL,
                attempt = e.attempt + CASE WHEN reason IS NULL THEN 1 ELSE 0 END,
                started_at = COALESCE(e.started_at, now_ms),
                definition = COALESCE(e.definition, (SELECT a.definition FROM automations a WHERE a.id = e.automation_id)),
                steps_total = CASE WHEN e.definition IS NULL
                    THEN COALESCE((SELECT a.step_count FROM automations a WHERE a.id = e.automation_id), 0)
                    ELSE e.steps_total END
            WHERE e.id = chosen
            RETURNING e.id, e.team_id, e.automation_id, e.status, e.body, e.content_type, e.idempotency_key, e.source_address,
                e.received_at, e.attempt, e.started_at, e.finished_at, e.error, e.replay_of, e.steps_total, e.steps_completed, e.step_keys_from,
                e.definition, e.context, e.trigger_type, reason;
        END $$
        """
}
