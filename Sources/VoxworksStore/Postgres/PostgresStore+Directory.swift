import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    public func insertContact(teamID: UUID, fields: ContactFields, now: Timestamp) async throws -> Contact? {
        try await client.query(
            """
            INSERT INTO contacts (id, team_id, phone_number, first_name, last_name, email, title, address, location, created_at, updated_at)
            VALUES (\(UUID.v7(now: now).lowercased), \(teamID.lowercased), \(fields.phoneNumber), \(fields.firstName), \(fields.lastName),
                    \(fields.email), \(fields.title), \(fields.address), \(fields.location), \(now.millis), \(now.millis))
            ON CONFLICT (team_id, phone_number) WHERE phone_number IS NOT NULL DO NOTHING
            RETURNING *
            """, logger: logger
        ).first().map(Self.contact(from:))
    }

    public func contacts(teamID: UUID, query: ContactQuery) async throws -> [Contact] {
        var filter = PostgresFilter("team_id", equals: teamID.lowercased)
        filter.add("phone_number", "=", query.phoneNumber)
        filter.add("lower(email)", "=", query.email?.lowercased())
        filter.add("id", "<", query.before?.lowercased)
        return try await client.query(filter.query("SELECT * FROM contacts", "ORDER BY id DESC", limit: query.limit), logger: logger)
            .all().map(Self.contact(from:))
    }

    public func calls(teamID: UUID, query: CallQuery) async throws -> [Call] {
        var filter = PostgresFilter("team_id", equals: teamID.lowercased)
        // One status for clients: the outcome once finished, else the progress (Call.reportedStatus).
        filter.add("COALESCE(status, progress)", "=", query.status)
        filter.add("type", "=", query.type)
        filter.add("progress", "=", query.progress)
        filter.add("script_id", "=", query.scriptID)
        filter.add("contact_id", "=", query.contactID?.lowercased)
        filter.add("created_at", ">=", query.createdAfter?.millis)
        filter.add("created_at", "<", query.createdBefore?.millis)
        filter.add("id", "<", query.before?.lowercased)
        return try await client.query(filter.query("SELECT * FROM calls", "ORDER BY id DESC", limit: query.limit), logger: logger)
            .all().map(Self.call(from:))
    }

    public func call(id: UUID, teamID: UUID) async throws -> Call? {
        try await client.query("SELECT * FROM calls WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased)", logger: logger)
            .first().map(Self.call(from:))
    }

    public func cancelCall(id: UUID, teamID: UUID, now: Timestamp) async throws -> Call? {
        try await client.withTransaction(logger: logger) { connection in
            if let row = try await connection.query(
                """
                UPDATE calls SET progress = 'cancelled' WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased) AND progress = 'scheduled'
                RETURNING execution_id
                """, logger: self.logger
            ).first(), let executionID = try row.optionalUUID("execution_id") {
                try await connection.query(
                    """
                    UPDATE executions SET run_at = \(now.millis) WHERE id = \(executionID.lowercased) AND status = 'processing' AND wait_reason = 'call'
                    """, logger: self.logger)
                try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(Self.workChannel)"), logger: self.logger)
            }
            return try await connection.query(
                "SELECT * FROM calls WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased)", logger: self.logger
            )
            .first().map(Self.call(from:))
        }
    }

    public func rescheduleCall(id: UUID, teamID: UUID, to time: Timestamp) async throws -> Call? {
        try await client.query(
            "UPDATE calls SET scheduled_time = \(time.millis) WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased) AND progress = 'scheduled'",
            logger: logger)
        return try await call(id: id, teamID: teamID)
    }

    public func createList(teamID: UUID, name: String, now: Timestamp) async throws -> ContactList {
        let list = ContactList(id: .v7(now: now), teamID: teamID, name: name, contactCount: 0, createdAt: now)
        try await client.query(
            "INSERT INTO lists (id, team_id, name, created_at) VALUES (\(list.id.lowercased), \(teamID.lowercased), \(name), \(now.millis))",
            logger: logger)
        return list
    }

    public func list(id: UUID, teamID: UUID) async throws -> ContactList? {
        guard
            let row = try await client.query(
                """
                SELECT l.name, l.created_at, (SELECT COUNT(*) FROM list_members m WHERE m.list_id = l.id) AS members
                FROM lists l WHERE l.id = \(id.lowercased) AND l.team_id = \(teamID.lowercased)
                """, logger: logger
            ).first()
        else { return nil }
        return ContactList(
            id: id, teamID: teamID, name: try row.value("name"), contactCount: Int(try row.value("members", as: Int64.self)),
            createdAt: try row.timestamp("created_at"))
    }

    public func addToList(listID: UUID, contactIDs: [UUID], now: Timestamp) async throws -> (added: Int, alreadyPresent: Int) {
        try await client.withTransaction(logger: logger) { connection in
            var added = 0
            for contact in Set(contactIDs) {
                if try await connection.query(
                    """
                    INSERT INTO list_members (list_id, contact_id, added_at) VALUES (\(listID.lowercased), \(contact.lowercased), \(now.millis))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: self.logger
                ).first() != nil {
                    added += 1
                }
            }
            return (added, contactIDs.count - added)
        }
    }

    // MARK: Operations

    public func deleteFinishedExecutions(before: Timestamp, limit: Int) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            let ids = try await connection.query(
                """
                SELECT id FROM executions WHERE finished_at < \(before.millis) AND status IN ('completed', 'failed', 'dead_letter', 'cancelled')
                LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: self.logger
            ).all().map { try $0.value("id", as: String.self) }
            guard !ids.isEmpty else { return 0 }
            try await connection.query("DELETE FROM execution_steps WHERE execution_id = ANY(\(ids))", logger: self.logger)
            try await connection.query("DELETE FROM executions WHERE id = ANY(\(ids))", logger: self.logger)
            return ids.count
        }
    }

    public func queueStats(now: Timestamp) async throws -> QueueStats {
        var pending = 0, running = 0, waiting = 0
        for row in try await client.query(
            """
            SELECT status, wait_reason IS NOT NULL AS waiting, COUNT(*) AS n FROM executions
            WHERE status IN ('pending', 'processing') GROUP BY status, waiting
            """, logger: logger
        ).all() {
            let count = Int(try row.value("n", as: Int64.self))
            switch (try row.value("status", as: String.self), try row.value("waiting", as: Bool.self)) {
            case ("pending", _): pending += count
            case ("processing", false): running += count
            case ("processing", true): waiting += count
            default: break
            }
        }
        // Open dead letters only: one a replay resolved (`resolved_by`) is not
        // counted. Read from the partial index `executions_open_dead_letters`.
        let deadLetters = Int(
            try await client.query(
                "SELECT count(*) AS n FROM executions WHERE status = 'dead_letter' AND resolved_by IS NULL", logger: logger
            ).first()?.value("n", as: Int64.self) ?? 0)
        let oldest = try await client.query("SELECT MIN(received_at) AS oldest FROM executions WHERE status = 'pending'", logger: logger)
            .first()?.optionalTimestamp("oldest")
        var finished: [ExecutionStatus: Int] = [:]
        for row in try await client.query(
            "SELECT status, COUNT(*) AS n FROM executions WHERE finished_at >= \(now.adding(seconds: -3600).millis) GROUP BY status",
            logger: logger
        ).all() {
            if let status = ExecutionStatus(rawValue: try row.value("status")) {
                finished[status] = Int(try row.value("n", as: Int64.self))
            }
        }
        let bytes = try await client.query("SELECT pg_database_size(current_database()) AS size", logger: logger).first()?.value(
            "size", as: Int64.self)
        return QueueStats(
            pending: pending, running: running, waiting: waiting, oldestPendingReceivedAt: oldest, finishedLastHour: finished,
            deadLetters: deadLetters, storeBytes: bytes)
    }
}
