import Foundation
import VoxworksStore

/// What the overview says about webhook requests over its window. Kept
/// behind `OverviewRequestSource` so that one place changes when a record
/// of every request (refused ones included) exists.
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

/// Request numbers from executions alone: an accepted webhook request is an
/// execution a webhook started (replays and call triggers are not
/// requests). Refused requests leave no execution, so they are not counted.
struct ExecutionRequestSource: OverviewRequestSource {
    func requestCounts(teamID: UUID, overview: ExecutionOverview) async throws -> OverviewRequestCounts {
        OverviewRequestCounts(
            received: nil, refused: nil, accepted: overview.webhooks, acceptedByHour: overview.hours.map(\.webhooks),
            coverage:
                "Accepted requests are counted from the executions they started. Refused requests (a bad signature, an unknown or disabled webhook, a rate limit) start no execution and are not recorded yet, so received and refused are not shown."
        )
    }
}
