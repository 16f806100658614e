import Foundation
import Synchronization

/// Wakes idle workers when there is new work (a committed webhook, a
/// finished call), so that an idle system starts an execution at once
/// instead of at its next poll. Signals are not counted: a signal while no
/// one waits is remembered once, which is enough because a woken worker
/// keeps claiming until the queue is empty.
public final class WorkSignal: Sendable {
    private struct State {
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Waiters whose timeout fired before they registered.
        var expired: Set<UUID> = []
        var pending = false
        /// Counts signals, so a waiter that entered before a signal but
        /// registered after it does not sleep through it.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.generation &+= 1
            if state.waiters.isEmpty {
                state.pending = true
                return []
            }
            let all = Array(state.waiters.values)
            state.waiters.removeAll()
            return all
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns on a signal or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        let seen: UInt64? = state.withLock { state in
            guard !state.pending else {
                state.pending = false
                return nil
            }
            return state.generation
        }
        guard let seen else { return }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state in
                        if state.expired.remove(id) != nil || state.generation != seen { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
            // Whoever finished first, make sure the waiter is resumed exactly once.
            let continuation: CheckedContinuation<Void, Never>? = self.state.withLock { state in
                if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                state.expired.insert(id)
                return nil
            }
            continuation?.resume()
            await group.waitForAll()
            _ = self.state.withLock { $0.expired.remove(id) }
        }
    }
}
