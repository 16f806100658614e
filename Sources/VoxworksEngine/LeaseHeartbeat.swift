import Foundation
import Logging
import Synchronization
import VoxworksCore
import VoxworksStore

/// Keeps alive the leases of the turns a node is running: one loop for all
/// of them. Each turn used to start a child task that slept a third of the
/// lease, in a task group of its own, then cancelled it: a task group, a
/// task, a timer and its cancellation per execution, about a twentieth of
/// the workers' CPU in the drain, for turns that almost all end within
/// milliseconds, long before any beat is due.
///
/// A turn's lease is extended once it has been held for a quarter of the
/// lease since its claim or its last beat; the loop looks every sixth of a
/// lease, so beats come at most five twelfths of a lease apart and a
/// beat lost to a failed write still leaves time for the next.
final class LeaseHeartbeat: Sendable {
    private struct Held {
        let worker: String
        var due: Timestamp
    }

    private let store: any ExecutionStore
    private let leaseSeconds: Double
    private let clock: @Sendable () -> Timestamp
    private let logger: Logger
    private let held = Mutex<[UUID: Held]>([:])

    init(store: any ExecutionStore, leaseSeconds: Double, clock: @escaping @Sendable () -> Timestamp, logger: Logger) {
        self.store = store
        self.leaseSeconds = leaseSeconds
        self.clock = clock
        self.logger = logger
    }

    /// Measured on the engine's clock, as the leases are, so a test can move
    /// time and beat (`beatDue`) by hand instead of racing real sleeps.
    private var beatInterval: Double { leaseSeconds / 4 }

    /// From now until `end`, `worker`'s lease on `executionID` is kept alive.
    func begin(_ executionID: UUID, worker: String) {
        let due = clock().adding(seconds: beatInterval)
        held.withLock { $0[executionID] = Held(worker: worker, due: due) }
    }

    /// Only `worker`'s own: if its lease was lost and another worker of this
    /// node took the execution over, that one's beats go on.
    func end(_ executionID: UUID, worker: String) {
        held.withLock { held in
            if held[executionID]?.worker == worker { held[executionID] = nil }
        }
    }

    /// Beats until cancelled (after the workers have stopped).
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(leaseSeconds / 6))
            if Task.isCancelled { return }
            await beatDue()
        }
    }

    /// Extends every lease whose beat is due, together, so that their
    /// writes can share commits.
    func beatDue() async {
        let now = clock()
        let next = now.adding(seconds: beatInterval)
        let due = held.withLock { held -> [(UUID, String)] in
            var due: [(UUID, String)] = []
            for (id, entry) in held where entry.due <= now {
                due.append((id, entry.worker))
                held[id]?.due = next
            }
            return due
        }
        guard !due.isEmpty else { return }
        await withDiscardingTaskGroup { group in
            for (id, worker) in due {
                group.addTask { await self.beat(id, worker: worker) }
            }
        }
    }

    private func beat(_ executionID: UUID, worker: String) async {
        do {
            let until = clock().adding(seconds: leaseSeconds)
            if try await !store.extendLease(executionID: executionID, worker: worker, until: until) {
                // Cancelled, or expired and taken: the turn learns it at its
                // next write, which is refused; no point beating for it.
                end(executionID, worker: worker)
            }
        } catch {
            // Tried again at the next beat, still within the lease.
            logger.warning("extending a lease failed", metadata: ["execution_id": "\(executionID.lowercased)", "error": "\(error)"])
        }
    }
}
