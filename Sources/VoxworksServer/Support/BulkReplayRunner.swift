import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksRuntime
import VoxworksStore

import Foundation

/// Works bulk replay jobs, on every node: takes a job's lease, replays its
/// items in batches (`ExecutionActions.replay`, as a single replay does),
/// and records each batch before the next. A replay's id is chosen and
/// stored before the replay is made, so a job resumed after a restart (or
/// taken over when its node's lease expired) finds a replay that was made
/// and does not make it again. With PostgreSQL one node holds a job at a time.
public struct BulkReplayRunner: Service {
    let store: any Store
    let workSignal: WorkSignal
    let clock: @Sendable () -> Timestamp
    let logger: Logger
    /// Wakes the runner when a job is made on this node.
    let wake: WorkSignal
    let worker: String
    let batchSize: Int
    let leaseSeconds: Double
    let pollInterval: Duration

    public init(
        store: any Store, workSignal: WorkSignal, wake: WorkSignal, clock: @escaping @Sendable () -> Timestamp, logger: Logger,
        worker: String = "bulk-\(UUID().uuidString.prefix(8).lowercased())", batchSize: Int = 100, leaseSeconds: Double = 60,
        pollInterval: Duration = .seconds(2)
    ) {
        self.store = store
        self.workSignal = workSignal
        self.wake = wake
        self.clock = clock
        self.logger = logger
        self.worker = worker
        self.batchSize = batchSize
        self.leaseSeconds = leaseSeconds
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let worked: Bool
            do {
                worked = try await runOne()
            } catch {
                logger.error("bulk replay failed", metadata: ["error": "\(error)"])
                worked = false
            }
            if !worked {
                await cancelWhenGracefulShutdown { await wake.wait(timeout: pollInterval) }
            }
        }
    }

    /// Claims one job and works it until it ends, is cancelled, or this node
    /// stops (then it gives the lease up); false when there was none.
    /// `maxBatches` (tests) stops it early, still holding the lease.
    @discardableResult
    public func runOne(maxBatches: Int = .max) async throws -> Bool {
        guard let job = try await store.claimBulkReplay(worker: worker, now: clock(), leaseUntil: clock().adding(seconds: leaseSeconds))
        else { return false }
        logger.info("bulk replay working", metadata: ["bulk_id": "\(job.id.lowercased)", "total": "\(job.total)"])
        var batches = 0
        while batches < maxBatches {
            if Task.isShuttingDownGracefully || Task.isCancelled {
                try await store.releaseBulkReplay(bulkID: job.id, worker: worker)
                return true
            }
            batches += 1
            guard let after = try await batch(job) else { return true }
            if after.status != .running {
                logger.info(
                    "bulk replay ended",
                    metadata: [
                        "bulk_id": "\(job.id.lowercased)", "status": "\(after.status.rawValue)", "done": "\(after.done)",
                        "failed": "\(after.failed)",
                    ])
                return true
            }
        }
        // Stopped by `maxBatches` (tests): the lease is kept, as a node that stopped keeps it until it expires.
        return true
    }

    /// One batch; the job as it is after it, or nil when this node lost it (cancelled, or its lease taken).
    private func batch(_ job: BulkReplay) async throws -> BulkReplay? {
        let items = try await store.openBulkReplayItems(bulkID: job.id, limit: batchSize)
        var chosen = items
        for index in chosen.indices where chosen[index].replayID == nil {
            chosen[index].replayID = UUID.v7(now: clock())
        }
        let fresh = chosen.filter { item in items.contains { $0.executionID == item.executionID && $0.replayID == nil } }
        if !fresh.isEmpty {
            guard try await store.chooseBulkReplayIDs(bulkID: job.id, worker: worker, fresh) else { return nil }
        }
        let actions = ExecutionActions(store: store, workSignal: workSignal, clock: clock)
        var results: [(executionID: UUID, result: BulkReplayItemResult)] = []
        for (item, choice) in zip(items, chosen) {
            guard let replayID = choice.replayID else { continue }
            results.append((item.executionID, try await replay(item, as: replayID, job: job, actions: actions)))
        }
        return try await store.finishBulkReplayItems(
            bulkID: job.id, worker: worker, results, now: clock(), leaseUntil: clock().adding(seconds: leaseSeconds))
    }

    private func replay(_ item: BulkReplayItem, as replayID: UUID, job: BulkReplay, actions: ExecutionActions) async throws
        -> BulkReplayItemResult
    {
        // Chosen by an earlier holder, which may have made it before it stopped.
        if item.replayID != nil, try await store.execution(id: replayID, teamID: job.teamID) != nil {
            return .replayed(replayID)
        }
        guard let original = try await store.execution(id: item.executionID, teamID: job.teamID) else {
            return .failed("The execution no longer exists")
        }
        do {
            return .replayed(try await actions.replay(original, from: job.from, id: replayID))
        } catch let error as APIError {
            return .failed(error.message)
        }
    }
}
