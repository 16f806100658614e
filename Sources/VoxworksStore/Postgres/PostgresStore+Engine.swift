import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    // MARK: Queue

    /// One statement claims the next execution, and so one round trip and
    /// one commit: `claim_execution` (see `PostgresClaimFunction`) takes a
    /// due wait first, then due pending work chosen fairly across teams
    /// and their automations, within the concurrency caps, with
    /// `SKIP LOCKED` so that workers on every node claim different rows.
    /// The team cursor is this node's (`fairness`), moved to the team of
    /// each execution claimed.
    public func claimExecution(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> ClaimedExecution? {
        let statement = Self.claim(
            worker: worker, now: now, leaseUntil: leaseUntil, afterTeam: fairness.lastTeam, teamCap: fairness.teamConcurrency)
        guard let row = try await engineClient.rows(statement, preparedAs: Claim.self, logger: logger).first else { return nil }
        return try await claimedExecution(from: row)
    }

    static func claim(worker: String, now: Timestamp, leaseUntil: Timestamp, afterTeam: String?, teamCap: Int) -> PostgresStatement {
        var parameters = PostgresParameters()
        let call = claimCall(
            &parameters, worker: worker, now: now, leaseUntil: leaseUntil, afterTeam: afterTeam, teamCap: teamCap, after: nil)
        return parameters.statement("SELECT * FROM \(call)")
    }

    enum Claim: PostgresPreparedText {
        static let name = "voxworks_claim_fair"
        static let template = PostgresStore.claim(
            worker: "", now: Timestamp(millis: 0), leaseUntil: Timestamp(millis: 0), afterTeam: nil, teamCap: 1)
    }

    /// The call of `claim_execution`. `after`: a value the call must wait
    /// for (a lateral reference, so that a turn's end is written first).
    static func claimCall(
        _ parameters: inout PostgresParameters, worker: String, now: Timestamp, leaseUntil: Timestamp, afterTeam: String?, teamCap: Int,
        after: String?
    ) -> String {
        let worker = parameters.add(worker)
        let now = parameters.add(now.millis)
        let lease = parameters.add(leaseUntil.millis)
        let team = parameters.add(afterTeam ?? "")
        let teamCap = parameters.add(Int32(teamCap))
        let defaultCap = parameters.add(Int32(ConcurrencyLimit.automationDefault))
        let ordered = after.map { " + 0 * \($0)" } ?? ""
        return "claim_execution(\(worker), \(now)\(ordered), \(lease), \(team), \(teamCap), \(defaultCap))"
    }

    /// A row of `claimed`, with what the worker needs to resume it.
    private func claimedExecution(from row: PostgresRandomAccessRow) async throws -> ClaimedExecution {
        var execution = try Self.execution(from: row)
        fairness.served(team: execution.teamID.lowercased)
        let id = execution.id.lowercased
        let parsed = definitions.entry(for: try row.value("definition", as: String?.self), executionID: id)
        var definition = parsed.definition
        let resumedFrom = try row.value("resumed_from", as: String?.self)
        var context: JSONObject?
        do {
            context = try StoredJSON.object(try row.value("context", as: String?.self), table: "executions", id: id, column: "context")
        } catch let error as StoreError {
            definition = .failure(error)
        }
        let total = parsed.stepCount
        if total != execution.stepsTotal {
            // Only if the database counted otherwise than Swift does (it should not).
            try await engineClient.query(
                "UPDATE executions SET steps_total = \(Int32(total)) WHERE id = \(execution.id.lowercased)", logger: logger)
            execution.stepsTotal = total
        }
        // Lines exist only once a worker has run it, or when it was made
        // with some (a replay carries the steps it skips, and their context);
        // only the lease holder writes them, so they can be read after the claim.
        let hasLines = execution.attempt > 1 || resumedFrom != nil || execution.replayOf != nil || context != nil
        var steps: [StepRecord] = []
        if hasLines, case .success = definition {
            do {
                steps = try await engineClient.withConnection { try await self.fetchSteps($0, executionID: execution.id) }
            } catch let error as StoreError {
                (definition, context) = (.failure(error), nil)
            }
        }
        return ClaimedExecution(
            execution: execution, definition: definition, context: context,
            steps: steps,
            resumedFrom: resumedFrom.flatMap(WaitReason.init(rawValue:)),
            triggerType: try row.value("trigger_type"))
    }

    public func extendLease(executionID: UUID, worker: String, until: Timestamp) async throws -> Bool {
        try await engineClient.query(
            """
            UPDATE executions SET lease_expires_at = \(until.millis)
            WHERE id = \(executionID.lowercased) AND lease_owner = \(worker) AND status = 'processing' RETURNING id
            """, logger: logger
        ).first() != nil
    }

    public func recordSteps(executionID: UUID, worker: String, _ log: StepLogWrite) async throws -> Bool {
        try await held(Self.stepWrite(executionID: executionID, worker: worker, lines: PostgresStepLines(log)))
    }

    @discardableResult
    public func finishTurn(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?) async throws
        -> Bool
    {
        try await held(
            Self.stepWrite(executionID: executionID, worker: worker, lines: PostgresStepLines(steps), finishing: Finish(outcome, now: now)))
    }

    /// Runs a `stepWrite`: whether the worker held the execution.
    private func held(_ statement: PostgresStatement) async throws -> Bool {
        guard let row = try await engineClient.rows(statement, preparedAs: StepWrite.self, logger: logger).first
        else { throw StoreError.inconsistent("a step write answered no row") }
        return try row.value("held_count", as: Int64.self) == 1
    }

    /// Both in one statement, and so one round trip and one commit: the
    /// turn's end (as `finishTurn`) and the claim (as `claimExecution`).
    /// The claim is called laterally on the turn's end, so the end is
    /// written first, and the claim's statements (each with a new
    /// snapshot) count the finished execution as no longer in flight.
    public func finishTurnAndClaim(
        executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?, leaseUntil: Timestamp
    ) async throws -> (held: Bool, next: ClaimedExecution?) {
        let statement = Self.finishTurnAndClaim(
            executionID: executionID, worker: worker, lines: PostgresStepLines(steps), finish: Finish(outcome, now: now), now: now,
            leaseUntil: leaseUntil,
            afterTeam: fairness.lastTeam, teamCap: fairness.teamConcurrency)
        guard let row = try await engineClient.rows(statement, preparedAs: FinishTurnAndClaim.self, logger: logger).first
        else { throw StoreError.inconsistent("a turn's end answered no row") }
        let held = try row.value("held_count", as: Int64.self) == 1
        guard try row.value("id", as: String?.self) != nil else { return (held, nil) }
        return (held, try await claimedExecution(from: row))
    }

    static func finishTurnAndClaim(
        executionID: UUID, worker: String, lines: PostgresStepLines, finish: Finish, now: Timestamp, leaseUntil: Timestamp,
        afterTeam: String?, teamCap: Int
    ) -> PostgresStatement {
        var parameters = PostgresParameters()
        let write = stepWriteCTEs(&parameters, executionID: executionID, worker: worker, lines: lines, finishing: finish)
        let claim = claimCall(
            &parameters, worker: worker, now: now, leaseUntil: leaseUntil, afterTeam: afterTeam, teamCap: teamCap, after: "ended.held_count"
        )
        return parameters.statement(
            """
            WITH \(write)
            SELECT ended.held_count, claimed.*
            FROM (SELECT count(*) AS held_count FROM held) AS ended LEFT JOIN LATERAL \(claim) AS claimed ON true
            """)
    }

    enum FinishTurnAndClaim: PostgresPreparedText {
        static let name = "voxworks_finish_turn_and_claim_fair"
        static let template = PostgresStore.finishTurnAndClaim(
            executionID: UUID(), worker: "", lines: PostgresStepLines(nil), finish: Finish(.completed, now: Timestamp(millis: 0)),
            now: Timestamp(millis: 0), leaseUntil: Timestamp(millis: 0), afterTeam: nil, teamCap: 1)
    }

    /// How a turn's end changes the execution's row; nil leaves a column as it is.
    struct Finish {
        var status: String?
        var finishedAt: Int64?
        var setsError: Bool
        var error: String?
        var setsRunAt: Bool
        var runAt: Int64?
        var waitReason: String?
        /// A completed execution has nothing left to resume.
        var dropsContext: Bool { status == "completed" }

        init(_ outcome: ExecutionOutcome, now: Timestamp) {
            (status, finishedAt, setsError, error, setsRunAt, runAt, waitReason) =
                switch outcome {
                case .completed: ("completed", now.millis, true, nil, false, nil, nil)
                case .failed(let error): ("failed", now.millis, true, error, false, nil, nil)
                case .deadLetter(let error): ("dead_letter", now.millis, true, error, false, nil, nil)
                case .retry(let error, let runAt): ("pending", nil, true, error, true, runAt.millis, nil)
                case .wait(let reason, let until): (nil, nil, false, nil, true, until?.millis ?? Int64.max, reason.rawValue)
                case .deferred(let reason, let until): ("pending", nil, false, nil, true, until.millis, reason.rawValue)
                }
        }
    }

    /// The lease check, the step lines, the context and (at a turn's end)
    /// the outcome, in one statement and so one round trip: the update of
    /// the execution's row is the check (it matches only while `worker`
    /// holds it, and locks the row, so a cancel or a sweep cannot slip in
    /// between), and the lines are written only if it matched. Answers 1
    /// when held, 0 when not (nothing is then written).
    static func stepWrite(executionID: UUID, worker: String, lines: PostgresStepLines, finishing finish: Finish? = nil) -> PostgresStatement
    {
        var parameters = PostgresParameters()
        let write = stepWriteCTEs(&parameters, executionID: executionID, worker: worker, lines: lines, finishing: finish)
        return parameters.statement("WITH \(write) SELECT count(*) AS held_count FROM held")
    }

    enum StepWrite: PostgresPreparedText {
        static let name = "voxworks_step_write"
        static let template = PostgresStore.stepWrite(executionID: UUID(), worker: "", lines: PostgresStepLines(nil))
    }

    /// `stepWrite` as CTEs: `step_lines`, `held` (the execution's id when
    /// the worker held it) and `written`.
    static func stepWriteCTEs(
        _ parameters: inout PostgresParameters, executionID: UUID, worker: String, lines: PostgresStepLines, finishing finish: Finish?
    ) -> String {
        let json = parameters.add(lines.json)
        let context = parameters.add(lines.contextText)
        let stepsCompleted = parameters.add(lines.stepsCompleted)
        let dropsContext = parameters.add(finish?.dropsContext ?? false)
        let status = parameters.add(finish?.status)
        let setsFinishedAt = parameters.add(finish?.finishedAt != nil)
        let finishedAt = parameters.add(finish?.finishedAt)
        let setsError = parameters.add(finish?.setsError ?? false)
        let error = parameters.add(finish?.error)
        let setsRunAt = parameters.add(finish?.setsRunAt ?? false)
        let runAt = parameters.add(finish?.runAt)
        let waitReason = parameters.add(finish?.waitReason)
        let releases = parameters.add(finish != nil)
        let id = parameters.add(executionID.lowercased)
        let owner = parameters.add(worker)
        return """
            step_lines AS (SELECT \(json)::json AS lines), held AS (
                UPDATE executions SET
                    context = CASE WHEN \(dropsContext) THEN NULL ELSE COALESCE(\(context), context) END,
                    steps_completed = COALESCE(\(stepsCompleted), steps_completed),
                    status = COALESCE(\(status), status),
                    finished_at = CASE WHEN \(setsFinishedAt) THEN \(finishedAt) ELSE finished_at END,
                    error = CASE WHEN \(setsError) THEN \(error) ELSE error END,
                    run_at = CASE WHEN \(setsRunAt) THEN \(runAt) ELSE run_at END,
                    wait_reason = COALESCE(\(waitReason), wait_reason),
                    lease_owner = CASE WHEN \(releases) THEN NULL ELSE lease_owner END,
                    lease_expires_at = CASE WHEN \(releases) THEN NULL ELSE lease_expires_at END
                WHERE id = \(id) AND lease_owner = \(owner) AND status = 'processing'
                RETURNING id, replay_of
            ), \(PostgresStepLines.writtenAfterHeld), resolved AS (
                -- A completed replay resolves the execution it replays (the
                -- first to complete wins); no row is touched for other executions.
                UPDATE executions AS o SET resolved_by = held.id FROM held
                WHERE \(status) = 'completed' AND o.id = held.replay_of AND o.resolved_by IS NULL
                RETURNING 1
            )
            """
    }

    public func releaseExpiredLeases(now: Timestamp) async throws -> Int {
        try await engineClient.query(
            """
            UPDATE executions SET status = 'pending', run_at = \(now.millis), lease_owner = NULL, lease_expires_at = NULL
            WHERE lease_owner IS NOT NULL AND lease_expires_at < \(now.millis) AND status = 'processing' RETURNING id
            """, logger: logger
        ).all().count
    }

    // MARK: Executions made by the engine

    public func insertExecution(_ new: NewExecution) async throws {
        try await client.withTransaction(logger: logger) { connection in
            let completed = Int32(new.completedSteps.filter { $0.status == .completed }.count)
            try await connection.query(
                """
                INSERT INTO executions (id, team_id, automation_id, status, body, content_type, received_at, run_at, replay_of,
                    step_keys_from, context, definition, trigger_type, steps_completed)
                VALUES (\(new.id.lowercased), \(new.teamID.lowercased), \(new.automationID.lowercased), 'pending', \(Data(new.body)),
                    'application/json', \(new.receivedAt.millis), \(new.receivedAt.millis), \(new.replayOf?.lowercased),
                    \(new.stepKeysFrom?.lowercased),
                    \(new.context.map { JSONValue.object($0).serialized }), \(new.definition?.serialized), \(new.triggerType), \(completed))
                """, logger: self.logger)
            for step in new.completedSteps {
                try await connection.query(
                    """
                    INSERT INTO execution_steps (execution_id, step_id, position, type, status, started_at, finished_at, attempts, input, output, error,
                        attempt_log)
                    VALUES (\(new.id.lowercased), \(step.stepID), \(Int32(step.position)), \(step.type), \(step.status.rawValue),
                        \(step.startedAt?.millis), \(step.finishedAt?.millis), \(Int32(step.attempts)), \(step.input?.serialized),
                        \(step.output?.serialized), \(step.error), \(step.attemptLog.storedText))
                    """, logger: self.logger)
            }
            try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(Self.workChannel)"), logger: self.logger)
        }
    }

    public func steps(executionID: UUID) async throws -> [StepRecord] {
        try await client.withConnection { try await self.fetchSteps($0, executionID: executionID) }
    }

    func fetchSteps(_ connection: PostgresConnection, executionID: UUID) async throws -> [StepRecord] {
        try await connection.query(
            """
            SELECT step_id, position, type, status, started_at, finished_at, attempts, input, output, error, attempt_log
            FROM execution_steps WHERE execution_id = \(executionID.lowercased) ORDER BY position
            """, logger: logger
        ).all().map { row in
            StepRecord(
                stepID: try row.value("step_id"), position: Int(try row.value("position", as: Int32.self)), type: try row.value("type"),
                status: StepStatus(rawValue: try row.value("status")) ?? .pending, startedAt: try row.optionalTimestamp("started_at"),
                finishedAt: try row.optionalTimestamp("finished_at"), attempts: Int(try row.value("attempts", as: Int32.self)),
                input: try row.json(
                    "input", table: "execution_steps", id: "\(executionID.lowercased)/\(try row.value("step_id", as: String.self))"),
                output: try row.json(
                    "output", table: "execution_steps", id: "\(executionID.lowercased)/\(try row.value("step_id", as: String.self))"),
                error: try row.value("error"),
                attemptLog: StepAttemptLog(storedText: try row.value("attempt_log")))
        }
    }

    public func savedContext(executionID: UUID) async throws -> JSONObject? {
        try await client.query("SELECT context FROM executions WHERE id = \(executionID.lowercased)", logger: logger)
            .first()?.json("context", table: "executions", id: executionID.lowercased)?.objectValue
    }

    public func cancelExecution(id: UUID, teamID: UUID, now: Timestamp) async throws -> Execution? {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE executions SET status = 'cancelled', finished_at = \(now.millis), lease_owner = NULL, lease_expires_at = NULL,
                    wait_reason = NULL, run_at = NULL
                WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased) AND status IN ('pending', 'processing')
                """, logger: self.logger)
            try await connection.query(
                "UPDATE calls SET progress = 'cancelled' WHERE execution_id = \(id.lowercased) AND progress = 'scheduled'",
                logger: self.logger)
            var binds = PostgresBindings()
            binds.append(id.lowercased)
            binds.append(teamID.lowercased)
            return try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.executionColumns) FROM executions WHERE id = $1 AND team_id = $2", binds: binds),
                logger: self.logger
            ).first().map(Self.execution(from:))
        }
    }

    public func automationDefinition(id: UUID) async throws -> (teamID: UUID, definition: JSONValue, enabled: Bool)? {
        guard
            let row = try await client.query(
                "SELECT team_id, definition, enabled FROM automations WHERE id = \(id.lowercased) AND deleted_at IS NULL", logger: logger
            ).first()
        else { return nil }
        guard let definition = try row.json("definition", table: "automations", id: id.lowercased) else {
            throw StoreError.corrupt(table: "automations", id: id.lowercased, detail: "definition is missing")
        }
        return (try row.uuid("team_id"), definition, try row.value("enabled"))
    }

    public func callTriggeredAutomations(teamID: UUID) async throws -> [Automation] {
        try await automations(teamID: teamID, after: nil, limit: 1000).filter {
            $0.enabled && $0.definition["trigger"]?["type"]?.stringValue == "call_completed"
        }
    }

    public func sample(automationID: UUID, teamID: UUID) async throws -> (body: [UInt8], receivedAt: Timestamp)? {
        guard
            let row = try await client.query(
                """
                SELECT s.body, s.received_at FROM automation_samples s JOIN automations a ON a.id = s.automation_id
                WHERE s.automation_id = \(automationID.lowercased) AND a.team_id = \(teamID.lowercased) AND a.deleted_at IS NULL
                """, logger: logger
            ).first()
        else { return nil }
        return (try row.bytes("body"), try row.timestamp("received_at"))
    }

    // MARK: Contacts and objects

    static func contact(from row: PostgresRandomAccessRow) throws -> Contact {
        Contact(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), phoneNumber: try row.value("phone_number"),
            firstName: try row.value("first_name"), lastName: try row.value("last_name"), email: try row.value("email"),
            title: try row.value("title"), address: try row.value("address"), location: try row.value("location"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }

    /// Matched by phone number (or new): one statement, which also writes
    /// `log`'s lines if its worker still holds the execution, so the
    /// contact's row is locked only for that statement and its commit (every
    /// worker upserting the same contact waits on that lock). Matched by
    /// email first: a transaction, as the match needs a read.
    public func upsertContact(teamID: UUID, matchOnEmail: Bool, fields: ContactFields, now: Timestamp, log: LeadingStepLog?) async throws
        -> (contact: Contact, created: Bool)
    {
        guard matchOnEmail, let email = fields.email else {
            let statement = Self.contactUpsert(teamID: teamID, fields: fields, now: now, log: log)
            let rows =
                if log == nil {
                    try await engineClient.rows(statement, preparedAs: ContactUpsert.self, logger: logger)
                } else {
                    try await engineClient.rows(statement, preparedAs: ContactUpsertAfterLines.self, logger: logger)
                }
            guard let row = rows.first else { throw log == nil ? StoreError.inconsistent("contact upsert returned nothing") : LeaseLost() }
            return (try Self.contact(from: row), try row.value("inserted"))
        }
        return try await withLeaseLostUnwrapped {
            try await self.engineClient.withTransaction(logger: self.logger) { connection in
                if let log { try await self.writeLeading(connection, log) }
                let team = teamID.lowercased
                if let existing = try await connection.query(
                    "SELECT * FROM contacts WHERE team_id = \(team) AND lower(email) = lower(\(email)) ORDER BY created_at LIMIT 1 FOR UPDATE",
                    logger: self.logger
                ).first() {
                    let stored = try Self.contact(from: existing)
                    if stored.isUnchanged(by: fields) { return (stored, false) }
                    let id: String = try existing.value("id")
                    guard
                        let row = try await connection.query(
                            """
                            UPDATE contacts SET phone_number = COALESCE(\(fields.phoneNumber), phone_number), first_name = COALESCE(\(fields.firstName), first_name),
                                last_name = COALESCE(\(fields.lastName), last_name), email = COALESCE(\(fields.email), email), title = COALESCE(\(fields.title), title),
                                address = COALESCE(\(fields.address), address), location = COALESCE(\(fields.location), location), updated_at = \(now.millis)
                            WHERE id = \(id) RETURNING *
                            """, logger: self.logger
                        ).first()
                    else { throw StoreError.inconsistent("contact vanished") }
                    return (try Self.contact(from: row), false)
                }
                guard
                    let row = try await connection.query(
                        Self.contactUpsert(teamID: teamID, fields: fields, now: now, log: nil).query, logger: self.logger
                    ).first()
                else { throw StoreError.inconsistent("contact upsert returned nothing") }
                return (try Self.contact(from: row), try row.value("inserted"))
            }
        }
    }

    /// Insert, or merge into the team's contact with this phone number (each
    /// given field replaces the stored one), after `log`'s lease check and
    /// lines; no row when the lease is not held (then nothing is written).
    /// A repeat of what is stored (`same`) writes nothing: an update would
    /// lock the contact's row until the commit, and every execution for
    /// that person would wait for the one before it (the benchmark's drain,
    /// one contact, ran at about 400/s on that lock).
    static func contactUpsert(teamID: UUID, fields: ContactFields, now: Timestamp, log: LeadingStepLog?) -> PostgresStatement {
        var parameters = PostgresParameters()
        // The leading lines and their lease check: `stepWrite`'s CTEs, whose `held` gates the contact's write.
        let leading = log.map {
            stepWriteCTEs(&parameters, executionID: $0.executionID, worker: $0.worker, lines: PostgresStepLines($0.lines), finishing: nil)
                + ", "
        }
        let held = log == nil ? "true" : "EXISTS (SELECT 1 FROM held)"
        let team = parameters.add(teamID.lowercased)
        let phone = parameters.add(fields.phoneNumber)
        let first = parameters.add(fields.firstName)
        let last = parameters.add(fields.lastName)
        let email = parameters.add(fields.email)
        let title = parameters.add(fields.title)
        let address = parameters.add(fields.address)
        let location = parameters.add(fields.location)
        let id = parameters.add(UUID.v7(now: now).lowercased)
        let time = parameters.add(now.millis)
        return parameters.statement(
            """
            WITH \(leading ?? "")same AS (
                SELECT \(contactColumns), false AS inserted FROM contacts c
                WHERE c.team_id = \(team) AND c.phone_number = \(phone)
                    AND c.first_name IS NOT DISTINCT FROM COALESCE(\(first), c.first_name)
                    AND c.last_name IS NOT DISTINCT FROM COALESCE(\(last), c.last_name)
                    AND c.email IS NOT DISTINCT FROM COALESCE(\(email), c.email)
                    AND c.title IS NOT DISTINCT FROM COALESCE(\(title), c.title)
                    AND c.address IS NOT DISTINCT FROM COALESCE(\(address), c.address)
                    AND c.location IS NOT DISTINCT FROM COALESCE(\(location), c.location)
                    AND \(held)
            ), upserted AS (
                INSERT INTO contacts AS c (id, team_id, phone_number, first_name, last_name, email, title, address, location, created_at, updated_at)
                SELECT \(id), \(team), \(phone), \(first), \(last), \(email), \(title), \(address), \(location), \(time), \(time)
                WHERE \(held) AND NOT EXISTS (SELECT 1 FROM same)
                ON CONFLICT (team_id, phone_number) WHERE phone_number IS NOT NULL DO UPDATE SET
                    first_name = COALESCE(EXCLUDED.first_name, c.first_name), last_name = COALESCE(EXCLUDED.last_name, c.last_name),
                    email = COALESCE(EXCLUDED.email, c.email), title = COALESCE(EXCLUDED.title, c.title),
                    address = COALESCE(EXCLUDED.address, c.address), location = COALESCE(EXCLUDED.location, c.location),
                    updated_at = EXCLUDED.updated_at
                RETURNING \(contactColumns), (c.xmax = 0) AS inserted
            )
            SELECT * FROM upserted UNION ALL SELECT * FROM same
            """)
    }

    /// A contact's columns by name, not `c.*`: a prepared statement's
    /// result may not change shape, which a column added by a later
    /// migration (run by another node) would do.
    private static let contactColumns =
        "c.id, c.team_id, c.phone_number, c.first_name, c.last_name, c.email, c.title, c.address, c.location, c.created_at, c.updated_at"

    enum ContactUpsert: PostgresPreparedText {
        static let name = "voxworks_contact_upsert"
        static let template = PostgresStore.contactUpsert(teamID: UUID(), fields: ContactFields(), now: Timestamp(millis: 0), log: nil)
    }

    enum ContactUpsertAfterLines: PostgresPreparedText {
        static let name = "voxworks_contact_upsert_after_lines"
        static let template = PostgresStore.contactUpsert(
            teamID: UUID(), fields: ContactFields(), now: Timestamp(millis: 0),
            log: LeadingStepLog(executionID: UUID(), worker: "", lines: StepLogWrite(records: [], context: nil, stepsCompleted: 0)))
    }

    public func contact(id: UUID, teamID: UUID) async throws -> Contact? {
        try await client.query("SELECT * FROM contacts WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased)", logger: logger)
            .first().map(Self.contact(from:))
    }

    /// `log`'s lines, with its lease check; `LeaseLost` rolls the whole transaction back.
    private func writeLeading(_ connection: PostgresConnection, _ log: LeadingStepLog) async throws {
        let held = try await connection.query(
            Self.stepWrite(executionID: log.executionID, worker: log.worker, lines: PostgresStepLines(log.lines)).query, logger: logger
        ).decode(Int64.self).first { _ in true }
        guard held == 1 else { throw LeaseLost() }
    }

    public func upsertObject(teamID: UUID, type: String, key: String, data: JSONValue, now: Timestamp, log: LeadingStepLog?) async throws
        -> (object: JSONValue, created: Bool)
    {
        guard let log else { return try await upsertObject(teamID: teamID, type: type, key: key, data: data, now: now, on: nil) }
        return try await withLeaseLostUnwrapped {
            try await self.engineClient.withTransaction(logger: self.logger) { connection in
                try await self.writeLeading(connection, log)
                return try await self.upsertObject(teamID: teamID, type: type, key: key, data: data, now: now, on: connection)
            }
        }
    }

    /// `withTransaction` wraps what its closure threw; a lost lease must reach the caller as itself.
    private func withLeaseLostUnwrapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError where error.closureError is LeaseLost {
            throw LeaseLost()
        }
    }

    /// On `connection` inside its transaction, or on any pooled connection.
    private func upsertObject(teamID: UUID, type: String, key: String, data: JSONValue, now: Timestamp, on connection: PostgresConnection?)
        async throws -> (object: JSONValue, created: Bool)
    {
        let query: PostgresQuery = """
            INSERT INTO objects (id, team_id, object_type, object_key, data, created_at, updated_at)
            VALUES (\(UUID.v7(now: now).lowercased), \(teamID.lowercased), \(type), \(key), \(data.serialized), \(now.millis), \(now.millis))
            ON CONFLICT (team_id, object_type, object_key) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at
            RETURNING id, created_at, (xmax = 0) AS inserted
            """
        let rows =
            if let connection {
                try await connection.query(query, logger: logger)
            } else {
                try await client.query(query, logger: logger)
            }
        guard let row = try await rows.first() else { throw StoreError.inconsistent("object upsert returned nothing") }
        let object: JSONValue = .object([
            "id": .string(try row.value("id")), "object_type": .string(type), "key": .string(key), "data": data,
            "created_at": .string(try row.timestamp("created_at").rfc3339), "updated_at": .string(now.rfc3339),
        ])
        return (object, try row.value("inserted"))
    }

    // MARK: Calls

    static func call(from row: PostgresRandomAccessRow) throws -> Call {
        Call(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), contactID: try row.optionalUUID("contact_id"),
            executionID: try row.optionalUUID("execution_id"), stepID: try row.value("step_id"), type: try row.value("type"),
            progress: try row.value("progress"), status: try row.value("status"), fromNumber: try row.value("from_number"),
            toNumber: try row.value("to_number"), scriptID: try row.value("script_id"), scheduledTime: try row.timestamp("scheduled_time"),
            startedAt: try row.optionalTimestamp("started_at"), endedAt: try row.optionalTimestamp("ended_at"),
            duration: try row.value("duration", as: Int32?.self).map(Int.init), endReason: try row.value("end_reason"),
            callSummary: try row.value("call_summary"),
            structuredData: try row.json("structured_data", table: "calls", id: try row.value("id")),
            successEvaluation: try row.value("success_evaluation"), rating: try row.value("rating", as: Int32?.self).map(Int.init),
            transcript: try row.value("transcript"), recordingURL: try row.value("recording_url"),
            objectives: try row.json("objectives", table: "calls", id: try row.value("id")),
            createdAt: try row.timestamp("created_at"),
            object: Call.ObjectLink(
                storedID: try row.value("object_id", as: String?.self), type: try row.value("object_type"), key: try row.value("object_key")
            ))
    }

    public func createCall(_ call: Call) async throws {
        try await client.query(
            """
            INSERT INTO calls (id, team_id, contact_id, execution_id, step_id, type, progress, status, from_number, to_number, script_id,
                scheduled_time, created_at, object_id, object_type, object_key)
            VALUES (\(call.id.lowercased), \(call.teamID.lowercased), \(call.contactID?.lowercased), \(call.executionID?.lowercased), \(call.stepID),
                \(call.type), \(call.progress), \(call.status), \(call.fromNumber), \(call.toNumber), \(call.scriptID), \(call.scheduledTime.millis),
                \(call.createdAt.millis), \(call.object?.id.lowercased), \(call.object?.type), \(call.object?.key))
            """, logger: logger)
    }

    public func call(id: UUID) async throws -> Call? {
        try await client.query("SELECT * FROM calls WHERE id = \(id.lowercased)", logger: logger).first().map(Self.call(from:))
    }

    public func objectData(id: UUID, teamID: UUID) async throws -> JSONValue? {
        try await client.query("SELECT data FROM objects WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased)", logger: logger)
            .first()?.json("data", table: "objects", id: id.lowercased)
    }

    public func dueCalls(now: Timestamp, limit: Int) async throws -> [Call] {
        try await client.query(
            "SELECT * FROM calls WHERE progress = 'scheduled' AND scheduled_time <= \(now.millis) ORDER BY scheduled_time LIMIT \(limit)",
            logger: logger
        ).all().map(Self.call(from:))
    }

    public func finishCall(_ call: Call, now: Timestamp) async throws {
        try await client.withTransaction(logger: logger) { connection in
            guard
                try await connection.query(
                    """
                    UPDATE calls SET progress = \(call.progress), status = \(call.status), started_at = \(call.startedAt?.millis),
                        ended_at = \(call.endedAt?.millis), duration = \(call.duration.map(Int32.init)), end_reason = \(call.endReason),
                        call_summary = \(call.callSummary), structured_data = \(call.structuredData?.serialized),
                        success_evaluation = \(call.successEvaluation), rating = \(call.rating.map(Int32.init)),
                        transcript = \(call.transcript), recording_url = \(call.recordingURL), objectives = \(call.objectives?.serialized)
                    WHERE id = \(call.id.lowercased) AND progress IN ('scheduled', 'in_progress') RETURNING id
                    """, logger: self.logger
                ).first() != nil, let executionID = call.executionID
            else { return }
            try await connection.query(
                """
                UPDATE executions SET run_at = \(now.millis)
                WHERE id = \(executionID.lowercased) AND status = 'processing' AND wait_reason = 'call'
                """, logger: self.logger)
            try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(Self.workChannel)"), logger: self.logger)
        }
    }
}
