import Foundation
import VoxworksCore

/// One hour of the console's overview. Executions count in the hour they
/// were received; completed, failed and dead-lettered ones in the hour they
/// finished (an execution received late in one hour may finish in the next).
public struct ExecutionOverviewHour: Sendable, Equatable {
    public var start: Timestamp
    /// Executions received in the hour (webhooks, replays, call triggers).
    public var received: Int
    /// Of those, the ones a webhook request started (not replays, not call triggers).
    public var webhooks: Int
    public var completed: Int
    public var failed: Int
    public var deadLettered: Int

    public init(start: Timestamp, received: Int = 0, webhooks: Int = 0, completed: Int = 0, failed: Int = 0, deadLettered: Int = 0) {
        self.start = start
        self.received = received
        self.webhooks = webhooks
        self.completed = completed
        self.failed = failed
        self.deadLettered = deadLettered
    }
}

/// A team's executions over a window, counted by the database (no execution
/// row is loaded): what the console's overview page shows.
public struct ExecutionOverview: Sendable, Equatable {
    public var since: Timestamp
    public var until: Timestamp
    /// One per hour from `since`, the last one possibly partial.
    public var hours: [ExecutionOverviewHour]
    /// Received → finished, over the executions that completed, failed or
    /// were dead-lettered in the window (nil: none did). Nearest-rank
    /// percentiles (`percentile_disc`), the same on both stores.
    public var p50Millis: Int64?
    public var p99Millis: Int64?

    public init(since: Timestamp, until: Timestamp, hours: [ExecutionOverviewHour], p50Millis: Int64?, p99Millis: Int64?) {
        self.since = since
        self.until = until
        self.hours = hours
        self.p50Millis = p50Millis
        self.p99Millis = p99Millis
    }

    public var received: Int { hours.reduce(0) { $0 + $1.received } }
    public var webhooks: Int { hours.reduce(0) { $0 + $1.webhooks } }
    public var completed: Int { hours.reduce(0) { $0 + $1.completed } }
    public var failed: Int { hours.reduce(0) { $0 + $1.failed } }
    public var deadLettered: Int { hours.reduce(0) { $0 + $1.deadLettered } }

    /// The longest window one call covers (a week of hourly buckets): the
    /// queries stay bounded whatever a caller asks for.
    public static let maxHours = 24 * 7
    public static let hourMillis: Int64 = 3_600_000

    /// How many hourly buckets `since..<until` has (at least 1, at most `maxHours`).
    public static func hourCount(since: Timestamp, until: Timestamp) -> Int {
        let span = max(1, until.millis - since.millis)
        return Int(min(Int64(maxHours), (span + hourMillis - 1) / hourMillis))
    }

    /// The window actually covered: `until` moved back to `since + maxHours` when it is beyond.
    public static func clampedUntil(since: Timestamp, until: Timestamp) -> Timestamp {
        Timestamp(millis: min(until.millis, since.millis + Int64(maxHours) * hourMillis))
    }

    /// Empty buckets for the window, to be filled from the grouped rows.
    public static func emptyHours(since: Timestamp, until: Timestamp) -> [ExecutionOverviewHour] {
        (0..<hourCount(since: since, until: until)).map {
            ExecutionOverviewHour(start: Timestamp(millis: since.millis + Int64($0) * hourMillis))
        }
    }

    /// The 0-based offset of the nearest-rank percentile `fraction` among `count` sorted values.
    public static func rankOffset(_ fraction: Double, count: Int) -> Int {
        max(0, Int((fraction * Double(count)).rounded(.up)) - 1)
    }

    /// The execution id below which no execution received at or after
    /// `since` can sort. Ids are UUIDv7 made when the execution was
    /// received (never earlier: the generator only moves forward), and
    /// stored as lowercase text, so this bound turns the window into a range
    /// of the `(team_id, id)` index instead of a scan of the team's history.
    public static func lowestID(receivedSince since: Timestamp) -> String {
        let millis = UInt64(max(0, since.millis)) & 0xFFFF_FFFF_FFFF
        let hex = String(millis, radix: 16)
        let padded = String(repeating: "0", count: 12 - hex.count) + hex
        return "\(padded.prefix(8))-\(padded.suffix(4))-0000-0000-000000000000"
    }
}

/// The overview's counts, by aggregate SQL over a bounded window.
public protocol ExecutionOverviewStore: Sendable {
    /// The team's executions received or finished in `since..<until`
    /// (at most `ExecutionOverview.maxHours` long), by hour.
    func executionOverview(teamID: UUID, since: Timestamp, until: Timestamp) async throws -> ExecutionOverview
}
