import NIOCore
import Synchronization

/// Request-body deadlines for the whole process, kept by one sweeper task
/// instead of a timer per request: racing each body read against a
/// sleeping child task cost a task group, a dispatch timer and two thread
/// wake-ups per webhook, several percent of the ingest path's CPU. When a
/// deadline passes, the sweeper fails the connection's inbound stream
/// (`BodyDeadlineExpired` through the channel's pipeline), so the pending
/// body read ends at once and the handler can still answer `408` on the
/// connection, whose output is untouched.
final class BodyDeadlines: Sendable {
    static let shared = BodyDeadlines(resolution: .milliseconds(100))

    private struct Watch {
        var deadline: ContinuousClock.Instant
        var channel: any Channel
    }

    private struct State: ~Copyable {
        var watches: [UInt64: Watch] = [:]
        var expired: Set<UInt64> = []
        var nextID: UInt64 = 0
        var sweeping = false
    }

    private let state = Mutex(State())
    /// How late past its deadline a body read may end.
    private let resolution: Duration

    init(resolution: Duration) {
        self.resolution = resolution
    }

    /// Starts watching a body read on `channel`; pass the id to `finish`.
    func watch(_ channel: any Channel, for duration: Duration) -> UInt64 {
        let deadline = ContinuousClock.now + duration
        let (id, startSweeper) = state.withLock { state in
            state.nextID += 1
            state.watches[state.nextID] = Watch(deadline: deadline, channel: channel)
            defer { state.sweeping = true }
            return (state.nextID, !state.sweeping)
        }
        if startSweeper {
            Task { await self.sweep() }
        }
        return id
    }

    /// Stops watching; true when the deadline passed first.
    func finish(_ id: UInt64) -> Bool {
        state.withLock { state in
            state.watches[id] = nil
            return state.expired.remove(id) != nil
        }
    }

    /// Runs while anything is watched (ten wake-ups a second), then stops;
    /// the next `watch` starts it again.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: resolution)
            let now = ContinuousClock.now
            let due: [any Channel]? = state.withLock { state in
                if state.watches.isEmpty {
                    state.sweeping = false
                    return nil
                }
                var due: [any Channel] = []
                for (id, watch) in state.watches where watch.deadline <= now {
                    state.watches[id] = nil
                    state.expired.insert(id)
                    due.append(watch.channel)
                }
                return due
            }
            guard let due else { return }
            for channel in due {
                channel.pipeline.fireErrorCaught(BodyDeadlineExpired())
            }
        }
    }
}

/// Ends a body read whose deadline passed (see `BodyDeadlines`).
struct BodyDeadlineExpired: Error {}
