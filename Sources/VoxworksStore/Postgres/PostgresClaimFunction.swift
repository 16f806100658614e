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
///    finished rows too).
/// 3. The first team with due work is locked (`pg_advisory_xact_lock`,
///    until the statement commits), then the team's in-flight count is
///    read and compared with `team_cap`; the same for each of its
///    automations with due work (after the team's cursor, wrapping) and
///    its `concurrency` (`default_cap` when absent); then its oldest due
///    row (run_at, id; `SKIP LOCKED`) is leased and the team's cursor
///    moved to that automation. The automation cursor is kept per team
///    and lock stripe (`claim_cursors`), written only by the stripe's
///    holder and only when it moves: one cursor row per team, written by
///    every claim, made every claim of the team wait for the previous
///    one's commit on that row. Each statement after a lock takes a new
///    snapshot (READ COMMITTED, VOLATILE), so a count sees every claim
///    committed before the lock was granted.
///
/// The locks are striped so that a team's claims do not all take turns
/// through their commits (one lock per team measured a PostgreSQL drain of
/// one team at a quarter of its rate): a cap is split into `stripes(cap)`
/// locks (1 for a cap of 8 or less, up to `maxStripes`), and a claim takes
/// the one its worker's name hashes to. A claim not yet committed always
/// holds its stripe, so at most `stripes - 1` claims the count cannot see
/// are under way, and a claim goes ahead only when `count + stripes - 1 <
/// cap`: the cap is never passed, and a striped cap may stop up to
/// `stripes - 1` short of it (at most an eighth: 57 of 64, 121 of 128). A
/// claim takes the first free stripe (trying from its worker's own), and
/// waits for its worker's stripe only when all are taken, and only while it
/// holds no lock of that kind (a team stripe, then an automation stripe
/// while holding only its team stripe);
/// every other lock is only tried (`pg_try_advisory_xact_lock`), so a
/// claim never waits while holding a lock another waiter needs, and
/// claims cannot deadlock.
///
/// A pending row's `wait_reason` is read and answered as `resumed_from`
/// (a deferred execution spends no attempt), as for a wait.
enum PostgresClaimFunction {
    /// Identifies the claim's advisory locks (the first key; the team's hash is the second).
    static let lockSpace: Int32 = 0x766F_7863
    /// Probes one claim may make (a bound on its work when many teams or
    /// automations are all at their caps).
    static let probeLimit = 2_000
    /// Locks a cap is split into (see above): a cap of 8 or less has one
    /// (exact), 16 has 2, 64 and more have 8.
    static let maxStripes = 8

    /// SQL: the stripe count of a cap.
    static func stripes(_ cap: String) -> String { "GREATEST(1, LEAST(\(maxStripes), \(cap) / \(maxStripes)))" }

    /// PL/pgSQL: takes one of `stripes` advisory locks of `key` (a text
    /// expression) in `space` and sets `stripe` to it: the first free one,
    /// trying from the worker's own; when all are taken, passes over to the
    /// enclosing loop's next round if `holding` (a claim never waits while
    /// holding a lock of that kind, so claims cannot deadlock), else waits
    /// for the worker's own. Sets `holding`. One text for the team's and
    /// the automation's locks, so that the two cannot drift apart.
    static func takeStripe(space: Int32, key: String, stripes: String, into stripe: String, holding: String) -> String {
        """
        \(stripe) := NULL;
        FOR k IN 0 .. \(stripes) - 1 LOOP
            IF pg_try_advisory_xact_lock(\(space), hashtext(\(key) || '/' || (worker_hash + k) % \(stripes))) THEN
                \(stripe) := (worker_hash + k) % \(stripes);
                EXIT;
            END IF;
        END LOOP;
        IF \(stripe) IS NULL THEN
            CONTINUE WHEN \(holding);
            \(stripe) := worker_hash % \(stripes);
            PERFORM pg_advisory_xact_lock(\(space), hashtext(\(key) || '/' || \(stripe)));
        END IF;
        \(holding) := true;
        """
    }

    static let create = """
        CREATE OR REPLACE FUNCTION claim_execution(
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
            holds_automation_lock BOOLEAN := false;
            team_stripes INTEGER := \(stripes("team_cap"));
            automation_stripes INTEGER;
            team_stripe INTEGER;
            automation_stripe INTEGER;
            worker_hash BIGINT := abs(hashtext(worker)::bigint);
            cap INTEGER;
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
                \(takeStripe(space: lockSpace, key: "team", stripes: "team_stripes", into: "team_stripe", holding: "holds_lock"))
                -- The other stripes' holders may each be claiming one more, not yet committed.
                CONTINUE WHEN (SELECT count(*) FROM (
                    SELECT 1 FROM executions e
                    WHERE e.status = 'processing' AND e.wait_reason IS NULL AND e.team_id = team LIMIT team_cap) AS f)
                    + team_stripes - 1 >= team_cap;
                -- The cursor of this team stripe: its row is written only by the stripe's holder.
                automation_start := COALESCE(
                    (SELECT c.automation_id FROM claim_cursors c WHERE c.team_id = team AND c.stripe = team_stripe), '');
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
                    -- The definition's `concurrency`, kept in a column with it
                    -- (ConcurrencyLimit.explicit): a claim never parses a definition.
                    cap := coalesce((SELECT a.concurrency FROM automations a WHERE a.id = automation), default_cap);
                    automation_stripes := \(stripes("cap"));
                    \(takeStripe(
                        space: lockSpace + 1, key: "automation", stripes: "automation_stripes", into: "automation_stripe",
                        holding: "holds_automation_lock"))
                    CONTINUE WHEN (SELECT count(*) FROM (
                        SELECT 1 FROM executions e
                        WHERE e.status = 'processing' AND e.wait_reason IS NULL AND e.team_id = team AND e.automation_id = automation
                        LIMIT cap) AS f) + automation_stripes - 1 >= cap;
                    SELECT e.id, e.wait_reason INTO chosen, reason FROM executions e
                    WHERE e.status = 'pending' AND e.team_id = team AND e.automation_id = automation AND e.run_at <= now_ms
                    ORDER BY e.team_id, e.automation_id, e.run_at, e.id LIMIT 1 FOR UPDATE SKIP LOCKED;
                    IF chosen IS NOT NULL THEN
                        IF automation <> automation_start THEN
                            INSERT INTO claim_cursors AS c (team_id, stripe, automation_id) VALUES (team, team_stripe, automation)
                            ON CONFLICT (team_id, stripe) DO UPDATE SET automation_id = EXCLUDED.automation_id;
                        END IF;
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
