import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    public func executionOverview(teamID: UUID, since: Timestamp, until requested: Timestamp) async throws -> ExecutionOverview {
        let until = ExecutionOverview.clampedUntil(since: since, until: requested)
        let team = teamID.lowercased
        let hour = ExecutionOverview.hourMillis
        var hours = ExecutionOverview.emptyHours(since: since, until: until)
        // Received: a range of (team_id, id), since ids are time-ordered (see `lowestID`).
        let low = ExecutionOverview.lowestID(receivedSince: since)
        let received = try await client.query(
            """
            SELECT (received_at - \(since.millis)) / \(hour) AS h, COUNT(*) AS n,
                   COUNT(*) FILTER (WHERE trigger_type = 'webhook' AND replay_of IS NULL) AS webhooks
            FROM executions
            WHERE team_id = \(team) AND id >= \(low) AND received_at >= \(since.millis) AND received_at < \(until.millis)
            GROUP BY h
            """, logger: logger
        ).all()
        for row in received {
            let index = Int(try row.value("h", as: Int64.self))
            guard hours.indices.contains(index) else { continue }
            hours[index].received = Int(try row.value("n", as: Int64.self))
            hours[index].webhooks = Int(try row.value("webhooks", as: Int64.self))
        }
        // Finished: the partial index on finished_at bounds this to the window.
        let finished = try await client.query(
            """
            SELECT (finished_at - \(since.millis)) / \(hour) AS h, status, COUNT(*) AS n
            FROM executions
            WHERE finished_at >= \(since.millis) AND finished_at < \(until.millis) AND team_id = \(team)
              AND status IN ('completed', 'failed', 'dead_letter')
            GROUP BY h, status
            """, logger: logger
        ).all()
        for row in finished {
            let index = Int(try row.value("h", as: Int64.self))
            let number = Int(try row.value("n", as: Int64.self))
            guard hours.indices.contains(index), let status = ExecutionStatus(rawValue: try row.value("status")) else { continue }
            switch status {
            case .completed: hours[index].completed += number
            case .failed: hours[index].failed += number
            case .deadLetter: hours[index].deadLettered += number
            default: break
            }
        }
        let percentiles = try await client.query(
            """
            SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY finished_at - received_at) AS p50,
                   percentile_disc(0.99) WITHIN GROUP (ORDER BY finished_at - received_at) AS p99
            FROM executions
            WHERE finished_at >= \(since.millis) AND finished_at < \(until.millis) AND team_id = \(team)
              AND status IN ('completed', 'failed', 'dead_letter')
            """, logger: logger
        ).first()
        return ExecutionOverview(
            since: since, until: until, hours: hours, p50Millis: try percentiles?.value("p50", as: Int64?.self),
            p99Millis: try percentiles?.value("p99", as: Int64?.self))
    }
}
