import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    static let bulkReplayColumns = "id, team_id, status, from_step, filter, total, done, failed, created_at, finished_at"

    static func bulkReplay(from row: Row) throws -> BulkReplay {
        guard let id = UUID(canonical: row["id"]), let teamID = UUID(canonical: row["team_id"]),
            let status = BulkReplayStatus(rawValue: row["status"]), let from = ReplayStart(rawValue: row["from_step"]),
            let filter = BulkReplayFilter(stored: row["filter"])
        else { throw StoreError.corrupt(table: "bulk_replays", id: row["id"] ?? "?", detail: "a UUID, status or filter is unreadable") }
        return BulkReplay(
            id: id, teamID: teamID, status: status, from: from, filter: filter, total: row["total"], done: row["done"],
            failed: row["failed"], createdAt: Timestamp(millis: row["created_at"]),
            finishedAt: (row["finished_at"] as Int64?).map(Timestamp.init(millis:)))
    }

    /// The matching executions' `FROM … WHERE …`, and its arguments with `:cap` (one more than the cap).
    private static func matching(teamID: UUID, filter: BulkReplayFilter, cap: Int) -> (
        sql: String, arguments: [String: (any DatabaseValueConvertible)?]
    ) {
        var conditions = SQLFilter("team_id = :team", ["team": teamID.lowercased])
        conditions.add("automation_id = :automation", "automation", filter.automationID?.lowercased)
        conditions.add("received_at >= :after", "after", filter.createdAfter?.millis)
        conditions.add("received_at < :before", "before", filter.createdBefore?.millis)
        // The statuses are the enum's own names, never client text.
        let statuses = filter.statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        var arguments = conditions.arguments
        arguments["cap"] = cap + 1
        return ("FROM executions WHERE \(conditions.clause) AND status IN (\(statuses)) AND resolved_by IS NULL", arguments)
    }

    public func countBulkReplayMatches(teamID: UUID, filter: BulkReplayFilter, cap: Int) async throws -> Int {
        let (matching, arguments) = Self.matching(teamID: teamID, filter: filter, cap: cap)
        let counting = StatementArguments(arguments)
        return try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 \(matching) LIMIT :cap)", arguments: counting) ?? 0
        }
    }

    public func createBulkReplay(
        id: UUID, teamID: UUID, idempotencyKey: String?, filter: BulkReplayFilter, from: ReplayStart, cap: Int, now: Timestamp
    ) async throws -> BulkReplayCreation {
        let (matching, countArguments) = Self.matching(teamID: teamID, filter: filter, cap: cap)
        var insertArguments = countArguments
        insertArguments["bulk"] = id.lowercased
        let (counting, inserting) = (StatementArguments(countArguments), StatementArguments(insertArguments))
        return try await pool.write { db in
            if let idempotencyKey,
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE team_id = ? AND idempotency_key = ?",
                    arguments: [teamID.lowercased, idempotencyKey])
            {
                return .existing(try Self.bulkReplay(from: row))
            }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 \(matching) LIMIT :cap)", arguments: counting) ?? 0
            guard count <= cap else { return .tooMany(cap: cap) }
            let job = BulkReplay(
                id: id, teamID: teamID, status: count == 0 ? .completed : .running, from: from, filter: filter, total: count, done: 0,
                failed: 0, createdAt: now, finishedAt: count == 0 ? now : nil)
            try db.execute(
                sql: """
                    INSERT INTO bulk_replays (id, team_id, idempotency_key, filter, from_step, status, total, created_at, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id.lowercased, teamID.lowercased, idempotencyKey, filter.stored, from.rawValue, job.status.rawValue, count, now.millis,
                    job.finishedAt?.millis,
                ])
            try db.execute(
                sql: "INSERT INTO bulk_replay_items (bulk_id, execution_id) SELECT :bulk, id \(matching) LIMIT :cap", arguments: inserting)
            return .created(job)
        }
    }

    public func bulkReplay(id: UUID, teamID: UUID) async throws -> BulkReplay? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased]
            ).map(Self.bulkReplay(from:))
        }
    }

    public func cancelBulkReplay(id: UUID, teamID: UUID, now: Timestamp) async throws -> BulkReplay? {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE bulk_replays SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ? AND team_id = ? AND status = 'running'
                    """, arguments: [now.millis, id.lowercased, teamID.lowercased])
            return try Row.fetchOne(
                db, sql: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased]
            ).map(Self.bulkReplay(from:))
        }
    }

    public func claimBulkReplay(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> BulkReplay? {
        // Every node asks every few seconds, and there is rarely a job: a
        // read first, so that asking takes the single writer only when
        // there is one to take.
        let due = try await pool.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM bulk_replays WHERE status = 'running'
                                   AND (lease_expires_at IS NULL OR lease_expires_at <= ?))
                    """, arguments: [now.millis]) ?? false
        }
        guard due else { return nil }
        return try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        UPDATE bulk_replays SET lease_owner = ?, lease_expires_at = ?
                        WHERE id = (SELECT id FROM bulk_replays WHERE status = 'running'
                                    AND (lease_expires_at IS NULL OR lease_expires_at <= ?) ORDER BY created_at, id LIMIT 1)
                        RETURNING \(Self.bulkReplayColumns)
                        """, arguments: [worker, leaseUntil.millis, now.millis])
            else { return nil }
            return try Self.bulkReplay(from: row)
        }
    }

    public func openBulkReplayItems(bulkID: UUID, limit: Int) async throws -> [BulkReplayItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT execution_id, replay_id FROM bulk_replay_items
                    WHERE bulk_id = ? AND state < 2 ORDER BY state DESC, execution_id DESC LIMIT ?
                    """, arguments: [bulkID.lowercased, limit]
            ).compactMap { row in
                guard let execution = UUID(canonical: row["execution_id"]) else { return nil }
                return BulkReplayItem(executionID: execution, replayID: (row["replay_id"] as String?).flatMap(UUID.init(canonical:)))
            }
        }
    }

    public func chooseBulkReplayIDs(bulkID: UUID, worker: String, _ choices: [BulkReplayItem]) async throws -> Bool {
        try await pool.write { db in
            guard try Self.holds(db, bulkID: bulkID, worker: worker) else { return false }
            for choice in choices {
                try db.execute(
                    sql: "UPDATE bulk_replay_items SET state = 1, replay_id = ? WHERE bulk_id = ? AND execution_id = ? AND state = 0",
                    arguments: [choice.replayID?.lowercased, bulkID.lowercased, choice.executionID.lowercased])
            }
            return true
        }
    }

    public func finishBulkReplayItems(
        bulkID: UUID, worker: String, _ results: [(executionID: UUID, result: BulkReplayItemResult)], now: Timestamp, leaseUntil: Timestamp
    ) async throws -> BulkReplay? {
        try await pool.write { db in
            guard try Self.holds(db, bulkID: bulkID, worker: worker) else { return nil }
            var done = 0
            var failed = 0
            for (executionID, result) in results {
                let (state, replay, error): (Int, String?, String?) =
                    switch result {
                    case .replayed(let id): (2, id.lowercased, nil)
                    case .failed(let message): (3, nil, message)
                    }
                try db.execute(
                    sql: """
                        UPDATE bulk_replay_items SET state = ?, replay_id = COALESCE(?, replay_id), error = ?
                        WHERE bulk_id = ? AND execution_id = ? AND state < 2
                        """, arguments: [state, replay, error, bulkID.lowercased, executionID.lowercased])
                guard db.changesCount > 0 else { continue }
                if state == 2 { done += 1 } else { failed += 1 }
            }
            let open =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM bulk_replay_items WHERE bulk_id = ? AND state < 2)",
                    arguments: [bulkID.lowercased]) ?? false
            try db.execute(
                sql: """
                    UPDATE bulk_replays SET done = done + ?, failed = failed + ?, lease_expires_at = ?,
                        status = CASE WHEN ? THEN status ELSE 'completed' END,
                        finished_at = CASE WHEN ? THEN finished_at ELSE ? END,
                        lease_owner = CASE WHEN ? THEN lease_owner ELSE NULL END
                    WHERE id = ?
                    """, arguments: [done, failed, leaseUntil.millis, open, open, now.millis, open, bulkID.lowercased])
            return try Row.fetchOne(
                db, sql: "SELECT \(Self.bulkReplayColumns) FROM bulk_replays WHERE id = ?", arguments: [bulkID.lowercased]
            ).map(Self.bulkReplay(from:))
        }
    }

    public func releaseBulkReplay(bulkID: UUID, worker: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE bulk_replays SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
                arguments: [bulkID.lowercased, worker])
        }
    }

    /// Whether `worker` holds the running job (a cancelled one is held by no one).
    private static func holds(_ db: Database, bulkID: UUID, worker: String) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM bulk_replays WHERE id = ? AND lease_owner = ? AND status = 'running')",
            arguments: [bulkID.lowercased, worker]) ?? false
    }
}
