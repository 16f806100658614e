import Synchronization
import VoxworksStore
import VoxworksRuntime

/// The node's executions in flight, as numbered slots: a slot's number
/// names the lease owner (`<node>/<slot>`), so lease owners stay a bounded
/// set however many executions a node runs over its life.
final class ExecutionSlots: Sendable {
    private let free: Mutex<[Int]>
    private let freed = WorkSignal()

    init(count: Int) {
        // Taken from the end: slot 0 first, so a quiet node uses few names.
        free = Mutex(Array((0..<max(1, count)).reversed()))
    }

    /// A free slot, or nil when every slot is in flight.
    func take() -> Int? {
        free.withLock { $0.popLast() }
    }

    func give(_ slot: Int) {
        free.withLock { $0.append(slot) }
        freed.signal()
    }

    /// Returns once a slot is given back, or after `timeout`.
    func waitForFree(timeout: Duration) async {
        await freed.wait(timeout: timeout)
    }
}
