import Foundation
import VoxworksStore

/// What the overview says about webhook requests over its window, behind
/// `OverviewRequestSource` (one place decides where the numbers come from).
struct OverviewRequestCounts: Sendable, Equatable {
    /// Every request to one of the team's webhooks; nil when it is not known.
    var received: Int?
    /// Requests answered with an error (401, 404, 429…); nil when not recorded.
    var refused: Int?
    /// Requests that started an execution.
    var accepted: Int
    /// Accepted requests by hour, one per hour of the overview.
    var acceptedByHour: [Int]
    /// One sentence under the numbers: what they cover.
    var coverage: String
}

/// Where the overview's request numbers come from.
protocol OverviewRequestSource: Sendable {
    func requestCounts(teamID: UUID, overview: ExecutionOverview) async throws -> OverviewRequestCounts
}

/// Request numbers from the request log (received and refused) and from
/// executions (accepted: an execution a webhook started; replays and call
/// triggers are not requests). The log records refused requests up to a
/// cap per automation and second, so under a flood `refused` is a floor.
struct RequestLogOverviewSource: OverviewRequestSource {
    let store: any RequestLogStore

    func requestCounts(teamID: UUID, overview: ExecutionOverview) async throws -> OverviewRequestCounts {
        let counts = try await store.requestCounts(teamID: teamID, since: overview.since, until: overview.until)
        return OverviewRequestCounts(
            received: counts.received, refused: counts.refused, accepted: overview.webhooks,
            acceptedByHour: overview.hours.map(\.webhooks),
            coverage:
                "Received and refused come from the request log (every request to one of the team's webhook URLs; refused ones past the log's cap per automation and second are counted in a metric, not here). Accepted counts the executions webhooks started."
        )
    }
}
