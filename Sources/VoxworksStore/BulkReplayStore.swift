import Foundation
import VoxworksCore

/// Where each replay of a bulk replay starts (as for a single replay).
public enum ReplayStart: String, Sendable, CaseIterable {
    case start
    case failedStep = "failed_step"
}

public enum BulkReplayStatus: String, Sendable, CaseIterable {
    case running
    case completed
    case cancelled
}

/// Which executions a bulk replay takes. Executions already resolved by a
/// replay are never taken again.
public struct BulkReplayFilter: Sendable, Equatable {
    public var automationID: UUID?
    public var statuses: [ExecutionStatus]
    public var createdAfter: Timestamp?
    public var createdBefore: Timestamp?

    public init(automationID: UUID? = nil, statuses: [ExecutionStatus], createdAfter: Timestamp? = nil, createdBefore: Timestamp? = nil) {
        self.automationID = automationID
        self.statuses = statuses
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
    }

    /// As stored with the job (JSON).
    public var stored: String {
        var object = JSONObject()
        object["automation_id"] = automationID?.lowercased.json ?? .null
        object["status"] = .array(statuses.map { .string($0.rawValue) })
        object["created_after"] = createdAfter.map { .int(Int($0.millis)) } ?? .null
        object["created_before"] = createdBefore.map { .int(Int($0.millis)) } ?? .null
        return JSONValue.object(object).serialized
    }

    public init?(stored: String) {
        guard let object = try? JSONParser().parse(stored).objectValue else { return nil }
        automationID = object["automation_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        statuses = (object["status"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(ExecutionStatus.init(rawValue:)) }
        createdAfter = object["created_after"]?.intValue.map { Timestamp(millis: Int64($0)) }
        createdBefore = object["created_before"]?.intValue.map { Timestamp(millis: Int64($0)) }
    }
}

/// A bulk replay job: the executions it matched when it was made, replayed
/// in batches by whichever node holds its lease.
public struct BulkReplay: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var status: BulkReplayStatus
    public var from: ReplayStart
    public var filter: BulkReplayFilter
    /// How many executions matched.
    public var total: Int
    /// How many were replayed.
    public var done: Int
    /// How many could not be replayed (their automation was deleted, or the
    /// execution is gone), each with its reason on its item.
    public var failed: Int
    public var createdAt: Timestamp
    public var finishedAt: Timestamp?

    public init(
        id: UUID, teamID: UUID, status: BulkReplayStatus, from: ReplayStart, filter: BulkReplayFilter, total: Int, done: Int, failed: Int,
        createdAt: Timestamp, finishedAt: Timestamp?
    ) {
        self.id = id
        self.teamID = teamID
        self.status = status
        self.from = from
        self.filter = filter
        self.total = total
        self.done = done
        self.failed = failed
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// One execution of a job still to replay. `replayID` is set when an
/// earlier holder chose the replay's id and may have inserted it: the
/// replay is then looked up before it is made, so none is made twice.
public struct BulkReplayItem: Sendable, Equatable {
    public var executionID: UUID
    public var replayID: UUID?

    public init(executionID: UUID, replayID: UUID?) {
        self.executionID = executionID
        self.replayID = replayID
    }
}

/// How an item ended: replayed as `replayID`, or not, with the reason.
public enum BulkReplayItemResult: Sendable, Equatable {
    case replayed(UUID)
    case failed(String)
}

public enum BulkReplayCreation: Sendable, Equatable {
    case created(BulkReplay)
    /// The team already made a job with this `Idempotency-Key`.
    case existing(BulkReplay)
    /// More executions matched than the cap; nothing was made.
    case tooMany(cap: Int)
}

/// Bulk replay jobs. The job row holds its progress and a lease; its items
/// (one per matched execution) hold which are done, so a job resumed on
/// another node, or after a restart, replays none twice.
public protocol BulkReplayStore: Sendable {
    /// Makes a job of every unresolved execution of the team that matches
    /// `filter` (up to `cap`), in one transaction; or answers the team's job
    /// made with the same `idempotencyKey`.
    func createBulkReplay(
        id: UUID, teamID: UUID, idempotencyKey: String?, filter: BulkReplayFilter, from: ReplayStart, cap: Int, now: Timestamp
    ) async throws -> BulkReplayCreation
    /// How many executions a job with `filter` would take now, counting at most `cap + 1`.
    func countBulkReplayMatches(teamID: UUID, filter: BulkReplayFilter, cap: Int) async throws -> Int
    func bulkReplay(id: UUID, teamID: UUID) async throws -> BulkReplay?
    /// Stops a running job (items not yet replayed stay so); the job as it is now.
    func cancelBulkReplay(id: UUID, teamID: UUID, now: Timestamp) async throws -> BulkReplay?
    /// Leases the oldest running job whose lease is free or expired to `worker`.
    func claimBulkReplay(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> BulkReplay?
    /// Up to `limit` items not yet finished, those with a chosen replay id first
    /// (newest execution first: the index is read backwards, with no sort).
    func openBulkReplayItems(bulkID: UUID, limit: Int) async throws -> [BulkReplayItem]
    /// Records the replay ids chosen for items, before the replays are
    /// made; false when `worker` no longer holds the job (nothing written).
    func chooseBulkReplayIDs(bulkID: UUID, worker: String, _ choices: [BulkReplayItem]) async throws -> Bool
    /// Records how items ended, adds them to the job's counts, extends the
    /// lease, and completes the job when no item is left open. Nil when
    /// `worker` no longer holds the job (cancelled, or its lease taken):
    /// nothing is written; otherwise the job as it is now.
    func finishBulkReplayItems(
        bulkID: UUID, worker: String, _ results: [(executionID: UUID, result: BulkReplayItemResult)], now: Timestamp, leaseUntil: Timestamp
    ) async throws -> BulkReplay?
    /// Gives up the lease (at shutdown), so another node need not wait for it to expire.
    func releaseBulkReplay(bulkID: UUID, worker: String) async throws
}
