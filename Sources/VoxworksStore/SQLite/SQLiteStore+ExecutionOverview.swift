import GRDB
import VoxworksCore

import Foundation

extension SQLiteStore {
    public func executionOverview(teamID: UUID, since: Timestamp, until requested: Timestamp) async throws -> ExecutionOverview {
        let until = ExecutionOverview.clampedUntil(since: since, until: requested)
        let team = teamID.lowercased
        return try await pool.read { db in
            var hours = ExecutionOverview.emptyHours(since: since, until: until)
            // Received: a range of (team_id, id), since ids are time-ordered (see `lowestID`).
            let received = try Row.fetchAll(
                db,
                sql: """
                    SELECT (received_at - :since) / :hour AS h, COUNT(*),
                           SUM(CASE WHEN trigger_type = 'webhook' AND replay_of IS NULL THEN 1 ELSE 0 END)
                    FROM executions
                    WHERE team_id = :team AND id >= :low AND received_at >= :since AND received_at < :until
                    GROUP BY h
                    """,
                arguments: [
                    "since": since.millis, "until": until.millis, "hour": ExecutionOverview.hourMillis, "team": team,
                    "low": ExecutionOverview.lowestID(receivedSince: since),
                ])
            for row in received {
                let index = Int(row[0] as Int64)
                guard hours.indices.contains(index) else { continue }
                hours[index].received = Int(row[1] as Int64)
                hours[index].webhooks = Int(row[2] as Int64)
            }
            // Finished: the partial index on finished_at bounds this to the
            // window. Named, because without statistics SQLite prefers
            // (team_id, status, id), which walks the team's whole history.
            let finishedFilter = """
                FROM executions INDEXED BY executions_finished
                WHERE finished_at >= :since AND finished_at < :until AND team_id = :team
                  AND status IN ('completed', 'failed', 'dead_letter')
                """
            // Each statement gets exactly the names it uses.
            let arguments: StatementArguments = ["since": since.millis, "until": until.millis, "team": team]
            var grouped = arguments
            grouped += ["hour": ExecutionOverview.hourMillis]
            let finished = try Row.fetchAll(
                db, sql: "SELECT (finished_at - :since) / :hour AS h, status, COUNT(*) \(finishedFilter) GROUP BY h, status",
                arguments: grouped)
            var count = 0
            for row in finished {
                let index = Int(row[0] as Int64)
                let number = Int(row[2] as Int64)
                guard hours.indices.contains(index), let status = ExecutionStatus(rawValue: row[1] as String) else { continue }
                count += number
                switch status {
                case .completed: hours[index].completed += number
                case .failed: hours[index].failed += number
                case .deadLetter: hours[index].deadLettered += number
                default: break
                }
            }
            // Nearest-rank percentiles: the database sorts, one value comes back for each.
            func percentile(_ fraction: Double) throws -> Int64? {
                guard count > 0 else { return nil }
                var withOffset = arguments
                withOffset += ["offset": ExecutionOverview.rankOffset(fraction, count: count)]
                return try Int64.fetchOne(
                    db, sql: "SELECT finished_at - received_at AS d \(finishedFilter) ORDER BY d LIMIT 1 OFFSET :offset",
                    arguments: withOffset)
            }
            return ExecutionOverview(
                since: since, until: until, hours: hours, p50Millis: try percentile(0.5), p99Millis: try percentile(0.99))
        }
    }
}
