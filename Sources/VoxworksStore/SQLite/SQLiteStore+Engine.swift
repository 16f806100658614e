import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    // MARK: Queue

    public func claimExecution(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> ClaimedExecution? {
        let definitions = self.definitions
        let fairness = self.fairness
        let claimed = try await engineWrites.write { db in
            try Self.claim(db, worker: worker, now: now, leaseUntil: leaseUntil, definitions: definitions, fairness: fairness)
        }
        return claimed.map(Self.claimedExecution(from:))
    }

    /// Statements are cached per connection: compiling them (and GRDB's authorizer
    /// pass over every compiled statement) cost more than running them.
    static func claim(
        _ db: Database, worker: String, now: Timestamp, leaseUntil: Timestamp, definitions: ParsedDefinitionCache, fairness: FairClaimCursor
    ) throws -> ClaimedRow? {
        // Waits that are due first (they already hold their attempt), then
        // due pending work, chosen fairly (`fairPending`).
        let dueWait = try db.cachedStatement(
            sql: """
                SELECT id, wait_reason FROM executions
                WHERE status = 'processing' AND wait_reason IS NOT NULL AND run_at <= ?
                ORDER BY run_at LIMIT 1
                """)
        let waiting = try dueWait.firstRow(
            [.int(now.millis)],
            { row in
                guard let id = row.text(0) else { throw StoreError.corrupt(table: "executions", id: "?", detail: "a row without an id") }
                return (id, row.text(1).flatMap(WaitReason.init(rawValue:)))
            })
        guard let (id, resumedFrom) = try waiting ?? fairPending(db, now: now, fairness: fairness) else { return nil }
        // Read, then one update: the definition is pinned at the first claim
        // and its step count is known only once it is parsed.
        guard
            let (stored, contextText, triggerType, pinned) = try db.cachedStatement(
                sql: """
                    SELECT \(Self.executionColumns), context, trigger_type,
                        COALESCE(definition, (SELECT definition FROM automations WHERE id = executions.automation_id)) AS pinned
                    FROM executions WHERE id = ?
                    """
            ).firstRow(
                [.text(id)],
                { row in
                    let extra = Int32(Self.afterExecutionColumns)
                    return (try Self.execution(from: row), row.text(extra), row.text(extra + 1) ?? "webhook", row.text(extra + 2))
                })
        else { return nil }
        var execution = stored
        let parsed = definitions.entry(for: pinned, executionID: id)
        let neverRun = execution.attempt == 0 && resumedFrom == nil
        execution.status = .processing
        if resumedFrom == nil { execution.attempt += 1 }
        if execution.startedAt == nil { execution.startedAt = now }
        execution.stepsTotal = parsed.stepCount
        try db.cachedStatement(
            sql: """
                UPDATE executions SET status = 'processing', lease_owner = ?, lease_expires_at = ?,
                    wait_reason = NULL, run_at = NULL, attempt = ?, started_at = ?, definition = ?, steps_total = ?
                WHERE id = ?
                """
        ).run([
            .text(worker), .int(leaseUntil.millis), .int(Int64(execution.attempt)), SQLiteValue(execution.startedAt?.millis),
            SQLiteValue(pinned), .int(Int64(parsed.stepCount)), .text(id),
        ])
        // Lines exist only once a worker has run it, or when it was made
        // with some (a replay carries the steps it skips, and their context).
        let hasLines = !neverRun || execution.replayOf != nil || contextText != nil
        return ClaimedRow(
            execution: execution, definition: parsed.definition, contextText: contextText,
            steps: hasLines ? try Self.fetchStepRows(db, executionID: id) : [], resumedFrom: resumedFrom,
            triggerType: triggerType)
    }

    /// JSON is parsed here, after the write, off the single writer connection
    /// every worker waits for. Stored data that cannot be read is handed over
    /// as the definition's failure: the execution fails with it.
    static func claimedExecution(from claimed: ClaimedRow) -> ClaimedExecution {
        let id = claimed.execution.id.lowercased
        var definition = claimed.definition
        var context: JSONObject?
        var steps: [StepRecord] = []
        do {
            context = try StoredJSON.object(claimed.contextText, table: "executions", id: id, column: "context")
            for row in claimed.steps { steps.append(try Self.stepRecord(from: row, executionID: id)) }
        } catch {
            definition = .failure(error)
            (context, steps) = (nil, [])
        }
        return ClaimedExecution(
            execution: claimed.execution, definition: definition, context: context, steps: steps,
            resumedFrom: claimed.resumedFrom, triggerType: claimed.triggerType)
    }

    /// A claimed execution as read inside the claim's transaction, its JSON not yet parsed.
    struct ClaimedRow: Sendable {
        var execution: Execution
        var definition: Result<AutomationDefinition, StoreError>
        var contextText: String?
        var steps: [StepRow]
        var resumedFrom: WaitReason?
        var triggerType: String
    }

    public func extendLease(executionID: UUID, worker: String, until: Timestamp) async throws -> Bool {
        try await engineWrites.write { db in
            try db.cachedStatement(
                sql: "UPDATE executions SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'processing'"
            )
            .execute(arguments: [until.millis, executionID.lowercased, worker])
            return db.changesCount > 0
        }
    }

    public func recordSteps(executionID: UUID, worker: String, _ log: StepLogWrite) async throws -> Bool {
        let lines = StepLogLines(executionID: executionID, log)
        return try await engineWrites.write { db in try lines.writeIfHeld(db, worker: worker) }
    }

    static func holds(_ db: Database, executionID: String, worker: String) throws -> Bool {
        try db.cachedStatement(sql: "SELECT lease_owner = ? AND status = 'processing' FROM executions WHERE id = ?")
            .firstRow([.text(worker), .text(executionID)]) { $0.int(0) != 0 } ?? false
    }

    @discardableResult
    public func finishTurn(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?) async throws
        -> Bool
    {
        let finish = TurnEnd(executionID: executionID, worker: worker, outcome: outcome, now: now, steps: steps)
        return try await engineWrites.write { db in try finish.write(db) }
    }

    /// Both in one transaction: a worker's next claim costs no commit of its own.
    public func finishTurnAndClaim(
        executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?, leaseUntil: Timestamp
    ) async throws -> (held: Bool, next: ClaimedExecution?) {
        let finish = TurnEnd(executionID: executionID, worker: worker, outcome: outcome, now: now, steps: steps)
        let definitions = self.definitions
        let fairness = self.fairness
        let (held, next) = try await engineWrites.write { db in
            (
                try finish.write(db),
                try Self.claim(db, worker: worker, now: now, leaseUntil: leaseUntil, definitions: definitions, fairness: fairness)
            )
        }
        return (held, next.map(Self.claimedExecution(from:)))
    }

    public func releaseExpiredLeases(now: Timestamp) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE executions SET status = 'pending', run_at = :now, lease_owner = NULL, lease_expires_at = NULL
                    WHERE lease_owner IS NOT NULL AND lease_expires_at < :now AND status = 'processing'
                    """,
                arguments: ["now": now.millis])
            return db.changesCount
        }
    }

    // MARK: Executions made by the engine

    public func insertExecution(_ new: NewExecution) async throws {
        try await engineWrites.write { db in
            try Self.insert(db, new)
        }
    }

    static func insert(_ db: Database, _ new: NewExecution) throws {
        try db.execute(
            sql: """
                INSERT INTO executions (id, team_id, automation_id, status, body, content_type, received_at, run_at,
                    replay_of, step_keys_from, context, definition, trigger_type, steps_completed)
                VALUES (?, ?, ?, 'pending', ?, 'application/json', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.id.lowercased, new.teamID.lowercased, new.automationID.lowercased, Data(new.body),
                new.receivedAt.millis, new.receivedAt.millis, new.replayOf?.lowercased, new.stepKeysFrom?.lowercased,
                new.context.map { JSONValue.object($0).serialized }, new.definition?.serialized, new.triggerType,
                new.completedSteps.filter { $0.status == .completed }.count,
            ])
        for step in new.completedSteps {
            try db.execute(
                sql: """
                    INSERT INTO execution_steps (execution_id, step_id, position, type, status, started_at, finished_at, attempts, input, output, error, attempt_log)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.id.lowercased, step.stepID, step.position, step.type, step.status.rawValue, step.startedAt?.millis,
                    step.finishedAt?.millis, step.attempts, step.input?.serialized, step.output?.serialized, step.error,
                    step.attemptLog.storedText,
                ])
        }
    }

    public func steps(executionID: UUID) async throws -> [StepRecord] {
        try await pool.read { db in try Self.fetchSteps(db, executionID: executionID.lowercased) }
    }

    static func fetchSteps(_ db: Database, executionID: String) throws -> [StepRecord] {
        try fetchStepRows(db, executionID: executionID).map { row throws(StoreError) in try stepRecord(from: row, executionID: executionID)
        }
    }

    /// A step-log line as stored, its JSON columns not yet parsed.
    struct StepRow: Sendable {
        var stepID: String
        var position: Int
        var type: String
        var status: String
        var startedAt: Int64?
        var finishedAt: Int64?
        var attempts: Int
        var input: String?
        var output: String?
        var error: String?
        var attemptLog: String?
    }

    static func fetchStepRows(_ db: Database, executionID: String) throws -> [StepRow] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT step_id, position, type, status, started_at, finished_at, attempts, input, output, error, attempt_log
                FROM execution_steps WHERE execution_id = ? ORDER BY position
                """)
        return try Row.fetchAll(statement, arguments: [executionID]).map { row in
            StepRow(
                stepID: row["step_id"], position: row["position"], type: row["type"], status: row["status"],
                startedAt: row["started_at"], finishedAt: row["finished_at"], attempts: row["attempts"],
                input: row["input"], output: row["output"], error: row["error"], attemptLog: row["attempt_log"])
        }
    }

    static func stepRecord(from row: StepRow, executionID: String) throws(StoreError) -> StepRecord {
        let line = "\(executionID)/\(row.stepID)"
        return StepRecord(
            stepID: row.stepID, position: row.position, type: row.type,
            status: StepStatus(rawValue: row.status) ?? .pending,
            startedAt: row.startedAt.map(Timestamp.init(millis:)),
            finishedAt: row.finishedAt.map(Timestamp.init(millis:)),
            attempts: row.attempts,
            input: try StoredJSON.parse(row.input, table: "execution_steps", id: line, column: "input"),
            output: try StoredJSON.parse(row.output, table: "execution_steps", id: line, column: "output"),
            error: row.error,
            attemptLog: StepAttemptLog(storedText: row.attemptLog))
    }

    public func savedContext(executionID: UUID) async throws -> JSONObject? {
        try await pool.read { db in
            try StoredJSON.object(
                String.fetchOne(db, sql: "SELECT context FROM executions WHERE id = ?", arguments: [executionID.lowercased]),
                table: "executions", id: executionID.lowercased, column: "context")
        }
    }

    public func cancelExecution(id: UUID, teamID: UUID, now: Timestamp) async throws -> Execution? {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE executions SET status = 'cancelled', finished_at = :now, lease_owner = NULL, lease_expires_at = NULL,
                        wait_reason = NULL, run_at = NULL
                    WHERE id = :id AND team_id = :team AND status IN ('pending', 'processing')
                    """,
                arguments: ["now": now.millis, "id": id.lowercased, "team": teamID.lowercased])
            // A call the execution was waiting for is cancelled with it.
            try db.execute(
                sql: "UPDATE calls SET progress = 'cancelled' WHERE execution_id = ? AND progress = 'scheduled'",
                arguments: [id.lowercased])
            return try Row.fetchOne(
                db, sql: "SELECT \(Self.executionColumns) FROM executions WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased]
            ).map(Self.execution(from:))
        }
    }

    public func automationDefinition(id: UUID) async throws -> (teamID: UUID, definition: JSONValue, enabled: Bool)? {
        try await pool.read { db -> (UUID, String, Bool)? in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT team_id, definition, enabled FROM automations WHERE id = ? AND deleted_at IS NULL",
                    arguments: [id.lowercased]),
                let team = UUID(canonical: row["team_id"])
            else { return nil }
            return (team, row["definition"], row["enabled"])
        }.map { row throws(StoreError) in
            guard let definition = try StoredJSON.parse(row.1, table: "automations", id: id.lowercased, column: "definition") else {
                throw StoreError.corrupt(table: "automations", id: id.lowercased, detail: "definition is missing")
            }
            return (row.0, definition, row.2)
        }
    }

    public func callTriggeredAutomations(teamID: UUID) async throws -> [Automation] {
        try await automations(teamID: teamID, after: nil, limit: 1000).filter {
            $0.enabled && $0.definition["trigger"]?["type"]?.stringValue == "call_completed"
        }
    }

    public func sample(automationID: UUID, teamID: UUID) async throws -> (body: [UInt8], receivedAt: Timestamp)? {
        try await pool.read { db -> (Data, Int64)? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.body, s.received_at FROM automation_samples s JOIN automations a ON a.id = s.automation_id
                        WHERE s.automation_id = ? AND a.team_id = ? AND a.deleted_at IS NULL
                        """,
                    arguments: [automationID.lowercased, teamID.lowercased])
            else { return nil }
            return (row["body"], row["received_at"])
        }.map { (Array($0.0), Timestamp(millis: $0.1)) }
    }

    // MARK: Contacts and objects

    /// A `LeadingStepLog`, serialized before it is queued for the writer.
    struct LeadingLines: Sendable {
        let lines: StepLogLines
        let worker: String

        init(_ log: LeadingStepLog) {
            lines = StepLogLines(executionID: log.executionID, log.lines)
            worker = log.worker
        }

        /// Throws `LeaseLost` (and the caller's savepoint undoes the effect too) when the worker lost the execution.
        func write(_ db: Database) throws {
            guard try lines.writeIfHeld(db, worker: worker) else { throw LeaseLost() }
        }
    }

    /// Read by position in `contact(from:)`, as `executionColumns`.
    static let contactColumns = "id, team_id, phone_number, first_name, last_name, email, title, address, location, created_at, updated_at"

    static func contact(from row: some ColumnReading) throws -> Contact {
        guard let id = row.text(0).flatMap(UUID.init(canonical:)), let team = row.text(1).flatMap(UUID.init(canonical:)) else {
            throw StoreError.corrupt(table: "contacts", id: row.text(0) ?? "?", detail: "id or team_id is not a UUID")
        }
        return Contact(
            id: id, teamID: team, phoneNumber: row.text(2), firstName: row.text(3), lastName: row.text(4),
            email: row.text(5), title: row.text(6), address: row.text(7), location: row.text(8),
            createdAt: Timestamp(millis: row.int(9)), updatedAt: Timestamp(millis: row.int(10)))
    }

    public func upsertContact(teamID: UUID, matchOnEmail: Bool, fields: ContactFields, now: Timestamp, log: LeadingStepLog?) async throws
        -> (contact: Contact, created: Bool)
    {
        let leading = log.map(LeadingLines.init)
        return try await engineWrites.write { db in
            try leading?.write(db)
            let team = teamID.lowercased
            var existing: Row?
            if matchOnEmail, let email = fields.email {
                existing = try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT \(Self.contactColumns) FROM contacts WHERE team_id = ? AND lower(email) = lower(?) ORDER BY created_at LIMIT 1"
                    ),
                    arguments: [team, email])
            }
            if existing == nil, fields.phoneNumber != nil {
                return try Self.mergeContact(db, teamID: teamID, fields: fields, now: now)
            }
            if let existing {
                let stored = try Self.contact(from: existing)
                if stored.isUnchanged(by: fields) { return (stored, false) }
                let id: String = existing[0]
                try db.cachedStatement(
                    sql: """
                        UPDATE contacts SET phone_number = COALESCE(:phone, phone_number), first_name = COALESCE(:first, first_name),
                            last_name = COALESCE(:last, last_name), email = COALESCE(:email, email), title = COALESCE(:title, title),
                            address = COALESCE(:address, address), location = COALESCE(:location, location), updated_at = :now
                        WHERE id = :id
                        """
                ).execute(arguments: [
                    "phone": fields.phoneNumber, "first": fields.firstName, "last": fields.lastName, "email": fields.email,
                    "title": fields.title, "address": fields.address, "location": fields.location, "now": now.millis, "id": id,
                ])
                return (stored.updated(with: fields, at: now), false)
            }
            return (try Self.insertContact(db, teamID: teamID, fields: fields, now: now), true)
        }
    }

    /// Inserts the contact, or merges the given fields into the team's
    /// contact with its phone number: one statement, which answers the row
    /// it wrote (a read and a write before, on the one writer).
    static func mergeContact(_ db: Database, teamID: UUID, fields: ContactFields, now: Timestamp) throws -> (
        contact: Contact, created: Bool
    ) {
        // A repeat of what is stored writes nothing: a read instead of a row
        // rewritten on the one writer.
        if let phone = fields.phoneNumber,
            let stored = try db.cachedStatement(
                sql: "SELECT \(contactColumns) FROM contacts WHERE team_id = ? AND phone_number = ?"
            ).firstRow([.text(teamID.lowercased), .text(phone)], contact(from:)), stored.isUnchanged(by: fields)
        {
            return (stored, false)
        }
        let id = UUID.v7(now: now).lowercased
        guard
            let contact = try db.cachedStatement(
                sql: """
                    INSERT INTO contacts (id, team_id, phone_number, first_name, last_name, email, title, address, location, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (team_id, phone_number) WHERE phone_number IS NOT NULL DO UPDATE SET
                        first_name = COALESCE(excluded.first_name, first_name), last_name = COALESCE(excluded.last_name, last_name),
                        email = COALESCE(excluded.email, email), title = COALESCE(excluded.title, title),
                        address = COALESCE(excluded.address, address), location = COALESCE(excluded.location, location),
                        updated_at = excluded.updated_at
                    RETURNING \(contactColumns)
                    """
            ).firstRow(
                [
                    .text(id), .text(teamID.lowercased), SQLiteValue(fields.phoneNumber), SQLiteValue(fields.firstName),
                    SQLiteValue(fields.lastName), SQLiteValue(fields.email), SQLiteValue(fields.title), SQLiteValue(fields.address),
                    SQLiteValue(fields.location), .int(now.millis), .int(now.millis),
                ], contact(from:))
        else { throw StoreError.inconsistent("contact upsert returned nothing") }
        return (contact, contact.id.lowercased == id)
    }

    static func insertContact(_ db: Database, teamID: UUID, fields: ContactFields, now: Timestamp) throws -> Contact {
        let id = UUID.v7(now: now)
        try db.cachedStatement(
            sql: """
                INSERT INTO contacts (id, team_id, phone_number, first_name, last_name, email, title, address, location, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id.lowercased, teamID.lowercased, fields.phoneNumber, fields.firstName, fields.lastName, fields.email, fields.title,
            fields.address, fields.location, now.millis, now.millis,
        ])
        return Contact(
            id: id, teamID: teamID, phoneNumber: fields.phoneNumber, firstName: fields.firstName, lastName: fields.lastName,
            email: fields.email, title: fields.title, address: fields.address, location: fields.location, createdAt: now, updatedAt: now)
    }

    public func contact(id: UUID, teamID: UUID) async throws -> Contact? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.contactColumns) FROM contacts WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased]
            )
            .map(Self.contact(from:))
        }
    }

    public func upsertObject(teamID: UUID, type: String, key: String, data: JSONValue, now: Timestamp, log: LeadingStepLog?) async throws
        -> (object: JSONValue, created: Bool)
    {
        let leading = log.map(LeadingLines.init)
        return try await engineWrites.write { db in
            try leading?.write(db)
            let existing = try Row.fetchOne(
                db, sql: "SELECT id, created_at FROM objects WHERE team_id = ? AND object_type = ? AND object_key = ?",
                arguments: [teamID.lowercased, type, key])
            let id: String = existing?["id"] ?? UUID.v7(now: now).lowercased
            let createdAt: Int64 = existing?["created_at"] ?? now.millis
            try db.execute(
                sql: """
                    INSERT INTO objects (id, team_id, object_type, object_key, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (team_id, object_type, object_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
                    """,
                arguments: [id, teamID.lowercased, type, key, data.serialized, createdAt, now.millis])
            let object: JSONValue = .object([
                "id": .string(id), "object_type": .string(type), "key": .string(key), "data": data,
                "created_at": .string(Timestamp(millis: createdAt).rfc3339), "updated_at": .string(now.rfc3339),
            ])
            return (object, existing == nil)
        }
    }

    // MARK: Calls

    static func call(from row: Row) throws -> Call {
        guard let id = UUID(canonical: row["id"]), let team = UUID(canonical: row["team_id"]) else {
            throw StoreError.corrupt(table: "calls", id: row["id"] ?? "?", detail: "id or team_id is not a UUID")
        }
        return Call(
            id: id, teamID: team, contactID: (row["contact_id"] as String?).flatMap(UUID.init(canonical:)),
            executionID: (row["execution_id"] as String?).flatMap(UUID.init(canonical:)), stepID: row["step_id"],
            type: row["type"], progress: row["progress"], status: row["status"], fromNumber: row["from_number"],
            toNumber: row["to_number"], scriptID: row["script_id"], scheduledTime: Timestamp(millis: row["scheduled_time"]),
            startedAt: (row["started_at"] as Int64?).map(Timestamp.init(millis:)),
            endedAt: (row["ended_at"] as Int64?).map(Timestamp.init(millis:)), duration: row["duration"],
            endReason: row["end_reason"], callSummary: row["call_summary"],
            structuredData: try StoredJSON.parse(row["structured_data"], table: "calls", id: id.lowercased, column: "structured_data"),
            successEvaluation: row["success_evaluation"], rating: row["rating"],
            transcript: row["transcript"], recordingURL: row["recording_url"],
            objectives: try StoredJSON.parse(row["objectives"], table: "calls", id: id.lowercased, column: "objectives"),
            createdAt: Timestamp(millis: row["created_at"]),
            object: Call.ObjectLink(storedID: row["object_id"], type: row["object_type"], key: row["object_key"]))
    }

    public func createCall(_ call: Call) async throws {
        try await engineWrites.write { db in
            try db.execute(
                sql: """
                    INSERT INTO calls (id, team_id, contact_id, execution_id, step_id, type, progress, status, from_number, to_number,
                        script_id, scheduled_time, created_at, object_id, object_type, object_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    call.id.lowercased, call.teamID.lowercased, call.contactID?.lowercased, call.executionID?.lowercased, call.stepID,
                    call.type, call.progress, call.status, call.fromNumber, call.toNumber, call.scriptID, call.scheduledTime.millis,
                    call.createdAt.millis, call.object?.id.lowercased, call.object?.type, call.object?.key,
                ])
        }
    }

    public func call(id: UUID) async throws -> Call? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE id = ?", arguments: [id.lowercased]).map(Self.call(from:))
        }
    }

    public func objectData(id: UUID, teamID: UUID) async throws -> JSONValue? {
        try await pool.read { db in
            try StoredJSON.parse(
                String.fetchOne(
                    db, sql: "SELECT data FROM objects WHERE id = ? AND team_id = ?", arguments: [id.lowercased, teamID.lowercased]),
                table: "objects", id: id.lowercased, column: "data")
        }
    }

    public func dueCalls(now: Timestamp, limit: Int) async throws -> [Call] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM calls WHERE progress = 'scheduled' AND scheduled_time <= ? ORDER BY scheduled_time LIMIT ?",
                arguments: [now.millis, limit]
            ).map(Self.call(from:))
        }
    }

    public func finishCall(_ call: Call, now: Timestamp) async throws {
        try await engineWrites.write { db in
            try db.execute(
                sql: """
                    UPDATE calls SET progress = :progress, status = :status, started_at = :started, ended_at = :ended, duration = :duration,
                        end_reason = :reason, call_summary = :summary, structured_data = :data, success_evaluation = :evaluation,
                        rating = :rating, transcript = :transcript, recording_url = :recording, objectives = :objectives
                    WHERE id = :id AND progress IN ('scheduled', 'in_progress')
                    """,
                arguments: [
                    "progress": call.progress, "status": call.status, "started": call.startedAt?.millis, "ended": call.endedAt?.millis,
                    "duration": call.duration, "reason": call.endReason, "summary": call.callSummary,
                    "data": call.structuredData?.serialized, "evaluation": call.successEvaluation, "rating": call.rating,
                    "transcript": call.transcript, "recording": call.recordingURL, "objectives": call.objectives?.serialized,
                    "id": call.id.lowercased,
                ])
            guard db.changesCount > 0, let executionID = call.executionID else { return }
            // Wake the execution waiting for this call.
            try db.execute(
                sql: "UPDATE executions SET run_at = ? WHERE id = ? AND status = 'processing' AND wait_reason = 'call'",
                arguments: [now.millis, executionID.lowercased])
        }
    }
}
