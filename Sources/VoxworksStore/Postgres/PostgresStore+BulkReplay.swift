import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    static let bulkReplayColumns = "id, team_id, status, from_step, filter, total, done, failed, created_at, finished_at"

    static func bulkReplay(from row: PostgresRandomAccessRow) throws -> BulkReplay {
        let id: String = try row.value("id")
        guard let status = BulkReplayStatus(rawValue: try row.value("status")),
            let from = ReplayStart(rawValue: try row.value("from_step")), let filter = BulkReplayFilter(stored: try row.value("filter"))
        else { throw StoreError.corrupt(table: "bulk_replays", id: id, detail: "the status, start or filter is unreadable") }
        return BulkReplay(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), status: status, from: from, filter: filter,
            total: Int(try row.value("total", as: Int32.self)), done: Int(try row.value("done", as: Int32.self)),
            failed: Int(try row.value("failed", as: Int32.self)), createdAt: try row.timestamp("created_at"),
            finishedAt: try row.optionalTimestamp("finished_at"))
    }

    private func selectBulkReplay(_ connection: PostgresConnection, id: UUID, teamID: UUID) async throws -> BulkReplay? {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE id = $1 AND team_id = $2",
                binds: Self.binds(id.lowercased, teamID.lowercased)),
            logger: logger
        ).first().map(Self.bulkReplay(from:))
    }

    /// The matching executions' ids (at most `cap + 1`), as a subquery with its parameters.
    private static func matching(teamID: UUID, filter: BulkReplayFilter, cap: Int) -> (sql: String, parameters: PostgresParameters) {
        var parameters = PostgresParameters()
        var conditions = ["team_id = \(parameters.add(teamID.lowercased))", "resolved_by IS NULL"]
        conditions.append("status = ANY(\(parameters.add(filter.statuses.map(\.rawValue))))")
        if let automation = filter.automationID { conditions.append("automation_id = \(parameters.add(automation.lowercased))") }
        if let after = filter.createdAfter { conditions.append("received_at >= \(parameters.add(after.millis))") }
        if let before = filter.createdBefore { conditions.append("received_at < \(parameters.add(before.millis))") }
        let limit = parameters.add(cap + 1)
        return ("SELECT id FROM executions WHERE \(conditions.joined(separator: " AND ")) LIMIT \(limit)", parameters)
    }

    public func countBulkReplayMatches(teamID: UUID, filter: BulkReplayFilter, cap: Int) async throws -> Int {
        let (matching, parameters) = Self.matching(teamID: teamID, filter: filter, cap: cap)
        return Int(
            try await client.query(parameters.query("SELECT count(*) AS n FROM (\(matching)) AS m"), logger: logger).first()?.value(
                "n", as: Int64.self) ?? 0)
    }

    public func createBulkReplay(
        id: UUID, teamID: UUID, idempotencyKey: String?, filter: BulkReplayFilter, from: ReplayStart, cap: Int, now: Timestamp
    ) async throws -> BulkReplayCreation {
        let (matching, parameters) = Self.matching(teamID: teamID, filter: filter, cap: cap)
        var inserting = parameters
        let bulk = inserting.add(id.lowercased)
        let (count, insert) = (
            parameters.query("SELECT count(*) AS n FROM (\(matching)) AS m"),
            inserting.query("INSERT INTO bulk_replay_items (bulk_id, execution_id) SELECT \(bulk), id FROM (\(matching)) AS m")
        )
        return try await client.withTransaction(logger: logger) { connection in
            func existing() async throws -> BulkReplay? {
                guard let idempotencyKey else { return nil }
                return try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE team_id = $1 AND idempotency_key = $2",
                        binds: Self.binds(teamID.lowercased, idempotencyKey)),
                    logger: self.logger
                ).first().map(Self.bulkReplay(from:))
            }
            if let job = try await existing() { return .existing(job) }
            let total = Int(try await connection.query(count, logger: self.logger).first()?.value("n", as: Int64.self) ?? 0)
            guard total <= cap else { return .tooMany(cap: cap) }
            let job = BulkReplay(
                id: id, teamID: teamID, status: total == 0 ? .completed : .running, from: from, filter: filter, total: total, done: 0,
                failed: 0, createdAt: now, finishedAt: total == 0 ? now : nil)
            // A request with the same key committed meanwhile: answer its job.
            let inserted = try await connection.query(
                """
                INSERT INTO bulk_replays (id, team_id, idempotency_key, filter, from_step, status, total, created_at, finished_at)
                VALUES (\(id.lowercased), \(teamID.lowercased), \(idempotencyKey), \(filter.stored), \(from.rawValue),
                    \(job.status.rawValue), \(Int32(total)), \(now.millis), \(job.finishedAt?.millis))
                ON CONFLICT (team_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id
                """, logger: self.logger
            ).first()
            guard inserted != nil else {
                guard let job = try await existing() else { throw StoreError.inconsistent("a bulk replay's key conflicted, then vanished") }
                return .existing(job)
            }
            try await connection.query(insert, logger: self.logger)
            return .created(job)
        }
    }

    public func bulkReplay(id: UUID, teamID: UUID) async throws -> BulkReplay? {
        try await client.withConnection { try await self.selectBulkReplay($0, id: id, teamID: teamID) }
    }

    public func cancelBulkReplay(id: UUID, teamID: UUID, now: Timestamp) async throws -> BulkReplay? {
        try await client.withConnection { connection in
            try await connection.query(
                """
                UPDATE bulk_replays SET status = 'cancelled', finished_at = \(now.millis), lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased) AND status = 'running'
                """, logger: self.logger)
            return try await self.selectBulkReplay(connection, id: id, teamID: teamID)
        }
    }

    public func claimBulkReplay(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> BulkReplay? {
        // SKIP LOCKED: nodes claiming at once take different jobs (or none)
        // instead of waiting on each other.
        try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE bulk_replays SET lease_owner = $1, lease_expires_at = $2
                    WHERE id = (SELECT id FROM bulk_replays WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= $3)
                                ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING \(Self.bulkReplayColumns)
                    """,
                binds: {
                    var binds = PostgresBindings()
                    binds.append(worker)
                    binds.append(leaseUntil.millis)
                    binds.append(now.millis)
                    return binds
                }()),
            logger: logger
        ).first().map(Self.bulkReplay(from:))
    }

    public func openBulkReplayItems(bulkID: UUID, limit: Int) async throws -> [BulkReplayItem] {
        try await client.query(
            """
            SELECT execution_id, replay_id FROM bulk_replay_items
            WHERE bulk_id = \(bulkID.lowercased) AND state < 2 ORDER BY state DESC, execution_id DESC LIMIT \(limit)
            """, logger: logger
        ).all().map { row in
            BulkReplayItem(executionID: try row.uuid("execution_id"), replayID: try row.optionalUUID("replay_id"))
        }
    }

    public func chooseBulkReplayIDs(bulkID: UUID, worker: String, _ choices: [BulkReplayItem]) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            guard try await self.holds(connection, bulkID: bulkID, worker: worker) else { return false }
            try await connection.query(
                """
                UPDATE bulk_replay_items AS i SET state = 1, replay_id = c.replay_id
                FROM unnest(\(choices.map(\.executionID.lowercased)), \(choices.map { $0.replayID?.lowercased ?? "" }))
                    AS c(execution_id, replay_id)
                WHERE i.bulk_id = \(bulkID.lowercased) AND i.execution_id = c.execution_id AND i.state = 0
                """, logger: self.logger)
            return true
        }
    }

    public func finishBulkReplayItems(
        bulkID: UUID, worker: String, _ results: [(executionID: UUID, result: BulkReplayItemResult)], now: Timestamp, leaseUntil: Timestamp
    ) async throws -> BulkReplay? {
        let ids = results.map(\.executionID.lowercased)
        let states = results.map { item -> Int16 in if case .replayed = item.result { 2 } else { 3 } }
        let replays = results.map { item -> String in if case .replayed(let id) = item.result { id.lowercased } else { "" } }
        let errors = results.map { item -> String in if case .failed(let message) = item.result { message } else { "" } }
        return try await client.withTransaction(logger: logger) { connection in
            guard try await self.holds(connection, bulkID: bulkID, worker: worker) else { return nil }
            let counted = try await connection.query(
                """
                WITH changed AS (
                    UPDATE bulk_replay_items AS i SET state = c.state, replay_id = COALESCE(NULLIF(c.replay_id, ''), i.replay_id),
                        error = NULLIF(c.error, '')
                    FROM unnest(\(ids), \(states), \(replays), \(errors)) AS c(execution_id, state, replay_id, error)
                    WHERE i.bulk_id = \(bulkID.lowercased) AND i.execution_id = c.execution_id AND i.state < 2
                    RETURNING i.state
                )
                SELECT count(*) FILTER (WHERE state = 2) AS done, count(*) FILTER (WHERE state = 3) AS failed FROM changed
                """, logger: self.logger
            ).first()
            let done = try counted?.value("done", as: Int64.self) ?? 0
            let failed = try counted?.value("failed", as: Int64.self) ?? 0
            let open =
                try await connection.query(
                    "SELECT 1 FROM bulk_replay_items WHERE bulk_id = \(bulkID.lowercased) AND state < 2 LIMIT 1", logger: self.logger
                ).first() != nil
            try await connection.query(
                """
                UPDATE bulk_replays SET done = done + \(Int32(done)), failed = failed + \(Int32(failed)),
                    lease_expires_at = \(leaseUntil.millis),
                    status = CASE WHEN \(open) THEN status ELSE 'completed' END,
                    finished_at = CASE WHEN \(open) THEN finished_at ELSE \(now.millis) END,
                    lease_owner = CASE WHEN \(open) THEN lease_owner ELSE NULL END
                WHERE id = \(bulkID.lowercased)
                """, logger: self.logger)
            return try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE id = $1", binds: Self.binds(bulkID.lowercased)),
                logger: self.logger
            ).first().map(Self.bulkReplay(from:))
        }
    }

    public func releaseBulkReplay(bulkID: UUID, worker: String) async throws {
        try await client.query(
            "UPDATE bulk_replays SET lease_owner = NULL, lease_expires_at = NULL WHERE id = \(bulkID.lowercased) AND lease_owner = \(worker)",
            logger: logger)
    }

    /// Whether `worker` holds the running job, locking its row for the
    /// transaction so that a cancel waits for the batch being recorded.
    private func holds(_ connection: PostgresConnection, bulkID: UUID, worker: String) async throws -> Bool {
        try await connection.query(
            """
            SELECT 1 FROM bulk_replays WHERE id = \(bulkID.lowercased) AND lease_owner = \(worker) AND status = 'running' FOR UPDATE
            """, logger: logger
        ).first() != nil
    }
}
