import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    public func queueStats(now: Timestamp) async throws -> QueueStats {
        let path = self.path
        return try await pool.read { db in
            var pending = 0, running = 0, waiting = 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT status, wait_reason IS NOT NULL AS waiting, COUNT(*) AS n FROM executions
                    WHERE status IN ('pending', 'processing') GROUP BY status, waiting
                    """)
            {
                let count: Int = row["n"]
                switch (row["status"] as String, row["waiting"] as Bool) {
                case ("pending", _): pending += count
                case ("processing", false): running += count
                case ("processing", true): waiting += count
                default: break
                }
            }
            // Open dead letters only: one a replay resolved (`resolved_by`) is not
            // counted. Read from the partial index `executions_open_dead_letters`.
            let deadLetters =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM executions WHERE status = 'dead_letter' AND resolved_by IS NULL") ?? 0
            let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(received_at) FROM executions WHERE status = 'pending'")
            var finished: [ExecutionStatus: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n FROM executions WHERE finished_at >= ? GROUP BY status",
                arguments: [now.adding(seconds: -3600).millis])
            {
                if let status = ExecutionStatus(rawValue: row["status"]) { finished[status] = row["n"] }
            }
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int64) ?? 0
            return QueueStats(
                pending: pending, running: running, waiting: waiting,
                oldestPendingReceivedAt: oldest.map(Timestamp.init(millis:)), finishedLastHour: finished,
                deadLetters: deadLetters, storeBytes: pages * pageSize + wal)
        }
    }

    public func deleteFinishedExecutions(before: Timestamp, limit: Int) async throws -> Int {
        try await pool.write { db in
            let ids = try String.fetchAll(
                db,
                sql:
                    "SELECT id FROM executions WHERE finished_at < ? AND status IN ('completed', 'failed', 'dead_letter', 'cancelled') LIMIT ?",
                arguments: [before.millis, limit])
            for id in ids {
                try db.execute(sql: "DELETE FROM execution_steps WHERE execution_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM executions WHERE id = ?", arguments: [id])
            }
            return ids.count
        }
    }

    /// A consistent copy of the live database at `destination` (which must
    /// not exist), taken while the server keeps serving: `VACUUM INTO` reads
    /// one snapshot, and in WAL mode readers never block writers.
    public func backup(to destination: String) async throws {
        // Created empty with mode 0600 first (VACUUM INTO fills an empty
        // file): a backup holds everything the store does.
        try PrivateFiles.createNew(at: destination)
        do {
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
    }
}

public enum BackupError: Error, CustomStringConvertible {
    case destinationExists(String)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) already exists; choose a new file name"
        }
    }
}
