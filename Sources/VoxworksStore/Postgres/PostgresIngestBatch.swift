/// `ingest_batch`, the PostgreSQL function behind `commitIngest`, as its
/// migrations create it: migration 6 without the request log, migration
/// 22 with one more array, each element the JSON of an
/// `ExecutionRequestLog` (an empty string when the request is not logged).
/// Both are kept: a node from before migration 22 calls the first.
enum PostgresIngestBatch {
    static func function(keepingRequestLogs: Bool) -> String {
        let logParameter = keepingRequestLogs ? ", p_request_logs TEXT[]" : ""
        let logColumn = keepingRequestLogs ? ", request_log" : ""
        let logValue = keepingRequestLogs ? ", NULLIF(e.rl, '')" : ""
        let logArray = keepingRequestLogs ? ",\n                    p_request_logs" : ""
        let logName = keepingRequestLogs ? ", rl" : ""
        return """
            CREATE FUNCTION ingest_batch(
                p_ids TEXT[], p_team_ids TEXT[], p_automation_ids TEXT[], p_webhook_ids TEXT[], p_bodies BYTEA[],
                p_content_types TEXT[], p_keys TEXT[], p_fingerprints BYTEA[], p_source_addresses TEXT[],
                p_received_ats BIGINT[], p_backlog_limits BIGINT[], p_ttl BIGINT, p_channel TEXT\(logParameter))
            RETURNS TABLE (outcomes SMALLINT[], replays TEXT[]) LANGUAGE plpgsql AS $$
            DECLARE
                n INTEGER := coalesce(array_length(p_ids, 1), 0);
                v_won TEXT[];
                v_claimed BOOLEAN[];
                v_teams TEXT[];
                v_pending BIGINT[];
                v_refused TEXT[] := '{}';
                v_given_back INTEGER[] := '{}';
                v_fingerprint BYTEA;
                v_execution TEXT;
                t INTEGER;
            BEGIN
                outcomes := array_fill((-1)::SMALLINT, ARRAY[n]);
                replays := array_fill(''::TEXT, ARRAY[n]);
                IF n = 0 THEN RETURN NEXT; RETURN; END IF;

                -- 1. Key claims, in (webhook, key) order so that two batches
                -- cannot deadlock; a key twice in the batch is claimed by its
                -- first request. A record may be taken over once it has
                -- expired at the request's arrival.
                WITH won AS (
                    INSERT INTO idempotency_records AS r (webhook_id, key, fingerprint, execution_id, expires_at)
                    SELECT DISTINCT ON (w, k) w, k, f, id, at + p_ttl
                    FROM unnest(p_webhook_ids, p_keys, p_fingerprints, p_ids, p_received_ats) WITH ORDINALITY AS u(w, k, f, id, at, ord)
                    WHERE k <> ''
                    ORDER BY w, k, ord
                    ON CONFLICT (webhook_id, key) DO UPDATE
                        SET fingerprint = EXCLUDED.fingerprint, execution_id = EXCLUDED.execution_id, expires_at = EXCLUDED.expires_at
                        WHERE r.expires_at <= EXCLUDED.expires_at - p_ttl
                    RETURNING execution_id)
                SELECT coalesce(array_agg(execution_id), '{}') INTO v_won FROM won;
                SELECT array_agg(c.id IS NOT NULL ORDER BY u.ord) INTO v_claimed
                FROM unnest(p_ids) WITH ORDINALITY AS u(id, ord) LEFT JOIN unnest(v_won) AS c(id) ON c.id = u.id;

                -- 2. A key not claimed (held by another execution, or
                -- repeated in the batch): the record holding it decides.
                FOR i IN 1 .. n LOOP
                    CONTINUE WHEN p_keys[i] = '' OR v_claimed[i];
                    SELECT r.fingerprint, r.execution_id INTO v_fingerprint, v_execution FROM idempotency_records r
                    WHERE r.webhook_id = p_webhook_ids[i] AND r.key = p_keys[i];
                    IF NOT FOUND THEN RAISE EXCEPTION 'idempotency record vanished'; END IF;
                    IF v_fingerprint = p_fingerprints[i] THEN
                        outcomes[i] := 1;
                        replays[i] := v_execution;
                    ELSE
                        outcomes[i] := 2;
                    END IF;
                END LOOP;

                -- 3. The backlog bound per team, read once, in batch order.
                SELECT coalesce(array_agg(s.team_id), '{}'), coalesce(array_agg(s.total), '{}') INTO v_teams, v_pending
                FROM (SELECT team_id, SUM(count)::BIGINT AS total FROM team_pending_slots
                      WHERE team_id = ANY(p_team_ids) GROUP BY team_id) s;
                FOR i IN 1 .. n LOOP
                    CONTINUE WHEN outcomes[i] <> -1;
                    t := array_position(v_teams, p_team_ids[i]);
                    IF t IS NULL THEN
                        v_teams := v_teams || p_team_ids[i];
                        v_pending := v_pending || 0::BIGINT;
                        t := array_length(v_teams, 1);
                    END IF;
                    IF v_pending[t] >= p_backlog_limits[i] THEN
                        outcomes[i] := 3;
                        IF v_claimed[i] THEN
                            v_given_back := v_given_back || i;
                            v_refused := v_refused || p_ids[i];
                        END IF;
                    ELSE
                        v_pending[t] := v_pending[t] + 1;
                        outcomes[i] := 0;
                    END IF;
                END LOOP;

                -- 4. A refused request gives its key back; a repeat told to
                -- replay it is refused too (its execution was never stored).
                IF array_length(v_given_back, 1) > 0 THEN
                    FOR i IN 1 .. n LOOP
                        IF outcomes[i] = 1 AND replays[i] = ANY(v_refused) THEN
                            outcomes[i] := 3;
                            replays[i] := '';
                        END IF;
                    END LOOP;
                    DELETE FROM idempotency_records r
                    USING unnest(p_webhook_ids, p_keys, p_ids) WITH ORDINALITY AS g(w, k, id, ord)
                    WHERE g.ord = ANY(v_given_back) AND r.webhook_id = g.w AND r.key = g.k AND r.execution_id = g.id;
                END IF;

                -- 5. The accepted executions, each automation's latest
                -- payload as its sample, and the wake-up for idle workers
                -- (sent by PostgreSQL at commit).
                IF 0 = ANY(outcomes) THEN
                    INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type, idempotency_key,
                        source_address, received_at, run_at\(logColumn))
                    SELECT e.id, e.team, e.automation, e.webhook, 'pending', e.body, NULLIF(e.ct, ''), NULLIF(e.k, ''), NULLIF(e.sa, ''),
                        e.at, e.at\(logValue)
                    FROM unnest(p_ids, p_team_ids, p_automation_ids, p_webhook_ids, p_bodies, p_content_types, p_keys,
                                p_source_addresses, p_received_ats\(logArray))
                        WITH ORDINALITY AS e(id, team, automation, webhook, body, ct, k, sa, at\(logName), ord)
                    WHERE outcomes[e.ord] = 0;
                    INSERT INTO automation_samples (automation_id, body, received_at)
                    SELECT DISTINCT ON (s.a) s.a, s.b, s.at
                    FROM unnest(p_automation_ids, p_bodies, p_received_ats) WITH ORDINALITY AS s(a, b, at, ord)
                    WHERE outcomes[s.ord] = 0
                    ORDER BY s.a, s.ord DESC
                    ON CONFLICT (automation_id) DO UPDATE SET body = EXCLUDED.body, received_at = EXCLUDED.received_at;
                    PERFORM pg_notify(p_channel, '');
                END IF;
                RETURN NEXT;
            END $$
            """
    }
}
