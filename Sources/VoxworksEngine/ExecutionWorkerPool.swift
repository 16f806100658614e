import Foundation
import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// The executions of one node in flight: a dispatcher claims an execution
/// whenever fewer than `workers` are in flight and runs it in a task of
/// its own, with a lease kept alive by the node's `LeaseHeartbeat`; the
/// task records how the turn ended and, in the same transaction, claims
/// the next one to run. A sweeper returns the leases of dead workers
/// (another process, or this one before a crash) to the queue.
///
/// An execution waiting on a slow receiver is a suspended task, not a busy
/// thread: `workers` caps executions in flight, not threads, so its default
/// is sized for I/O. Only the dispatcher sleeps on the `WorkSignal`, which
/// a commit raises, so new work starts at once without waking every idle
/// slot; a short poll catches due retries and delays.
/// On graceful shutdown each task finishes the execution it holds and stops.
public struct ExecutionWorkerPool: Service {
    let store: any ExecutionStore
    let runner: ExecutionRunner
    let signal: WorkSignal
    let configuration: EngineConfiguration
    let clock: @Sendable () -> Timestamp
    let nodeID: String
    let logger: Logger
    let metrics: ServiceMetrics
    let heartbeat: LeaseHeartbeat
    let slots: ExecutionSlots

    public init(
        store: any ExecutionStore, runner: ExecutionRunner, signal: WorkSignal, configuration: EngineConfiguration,
        clock: @escaping @Sendable () -> Timestamp, logger: Logger, metrics: ServiceMetrics = .disabled
    ) {
        self.metrics = metrics
        self.store = store
        self.runner = runner
        self.signal = signal
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        heartbeat = LeaseHeartbeat(store: store, leaseSeconds: configuration.leaseSeconds, clock: clock, logger: logger)
        slots = ExecutionSlots(count: configuration.workers)
        nodeID =
            "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                // The heartbeat outlives the executions in flight: on graceful
                // shutdown each finishes the turn it holds, its lease still kept.
                await withTaskGroup(of: Void.self) { beating in
                    beating.addTask { await heartbeat.run() }
                    await dispatch()
                    beating.cancelAll()
                }
            }
            group.addTask { await sweeperLoop() }
        }
    }

    private var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Claims while a slot is free; each claimed execution runs in a child
    /// task that holds its slot until it finds no next execution to run.
    func dispatch() async {
        await withDiscardingTaskGroup { running in
            while !stopping {
                guard let slot = slots.take() else {
                    await cancelWhenGracefulShutdown { await slots.waitForFree(timeout: configuration.idlePoll) }
                    continue
                }
                let worker = "\(nodeID)/\(slot)"
                do {
                    let now = clock()
                    if let claimed = try await store.claimExecution(
                        worker: worker, now: now, leaseUntil: now.adding(seconds: configuration.leaseSeconds))
                    {
                        running.addTask {
                            await carry(claimed, worker: worker)
                            slots.give(slot)
                        }
                        continue
                    }
                    slots.give(slot)
                } catch {
                    slots.give(slot)
                    logger.error("claiming an execution failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
                await cancelWhenGracefulShutdown { await signal.wait(timeout: configuration.idlePoll) }
            }
        }
    }

    /// Runs a claimed execution, then each one claimed with a turn's end,
    /// until a turn ends without a next one. Runs even when stopping: it is held.
    func carry(_ claimed: ClaimedExecution, worker: String) async {
        var next: ClaimedExecution? = claimed
        while let current = next {
            next = await process(current, worker: worker)
        }
    }

    /// Runs one turn while a heartbeat keeps the lease; the worker's next
    /// execution when one was claimed with the turn's end.
    func process(_ claimed: ClaimedExecution, worker: String) async -> ClaimedExecution? {
        let id = claimed.execution.id
        var logger = logger
        logger[metadataKey: "execution_id"] = .string(id.lowercased)
        metrics.workerBusy()
        defer { metrics.workerIdle() }
        heartbeat.begin(id, worker: worker)
        let turn = await runner.runTurn(claimed, worker: worker)
        heartbeat.end(id, worker: worker)
        guard let turn else { return nil }
        let outcome = turn.outcome
        do {
            // The last step-log lines, and the next claim unless stopping, go in the same commit as the outcome.
            let now = clock()
            let held: Bool
            var next: ClaimedExecution?
            if stopping {
                held = try await store.finishTurn(executionID: id, worker: worker, outcome: outcome, now: now, steps: turn.unsaved)
            } else {
                (held, next) = try await store.finishTurnAndClaim(
                    executionID: id, worker: worker, outcome: outcome, now: now, steps: turn.unsaved,
                    leaseUntil: now.adding(seconds: configuration.leaseSeconds))
            }
            // Lost the lease (cancelled, or expired and taken): nothing of this turn was written.
            guard held else { return next }
            logger.info("execution turn ended", metadata: outcome.logMetadata)
            switch outcome {
            case .completed: metrics.executionFinished(status: .completed)
            case .failed: metrics.executionFinished(status: .failed)
            case .deadLetter: metrics.executionFinished(status: .deadLetter)
            case .retry: metrics.retryScheduled()
            case .deferred: metrics.executionDeferred()
            case .wait: break
            }
            return next
        } catch {
            // The lease will expire and the sweeper will hand the execution out again.
            logger.error("recording an execution's outcome failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func sweeperLoop() async {
        while !stopping {
            do {
                let released = try await store.releaseExpiredLeases(now: clock())
                if released > 0 {
                    logger.warning("returned expired leases to the queue", metadata: ["count": "\(released)"])
                    signal.signal()
                }
            } catch {
                logger.error("lease sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.sweepInterval) }
        }
    }
}
