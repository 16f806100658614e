import NIOCore
import NIOPosix
import Synchronization

/// A continuation that whoever answers first resumes, exactly once: the way
/// to race an operation against a deadline without a task group, which
/// would wait for the losing child. `set` must be called before anyone can
/// answer (inside `withCheckedThrowingContinuation`, before starting them).
final class OnceAnswer<Value: Sendable>: Sendable {
    private struct State: ~Copyable {
        var continuation: CheckedContinuation<Value, any Error>?
        var done = false
        var onResume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<Value, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once the answer is given (at once if it already was).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.done { return true }
            state.onResume = action
            return false
        }
        if runNow { action() }
    }

    /// True when this call gave the answer; later calls are ignored.
    @discardableResult
    func resume(with result: Result<Value, any Error>) -> Bool {
        let taken: (CheckedContinuation<Value, any Error>?, (@Sendable () -> Void)?)? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil; state.onResume = nil }
            return (state.continuation, state.onResume)
        }
        guard let (continuation, action) = taken else { return false }
        continuation?.resume(with: result)
        action?()
        return true
    }
}

/// `operation`'s answer, or `timedOut` once `deadline` passes. The
/// operation runs in an unstructured task, so a caller can leave behind one
/// that never returns (a database connection that died without the driver
/// noticing, seen after a PostgreSQL restart); it is then cancelled. For a
/// loop that serves many callers, one hung call would otherwise hold them all.
@usableFromInline
func answerWithin<Value: Sendable>(
    _ deadline: Duration, timedOut: any Error, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let answer = OnceAnswer<Value>()
    return try await withCheckedThrowingContinuation { continuation in
        answer.set(continuation)
        let work = Task {
            do {
                answer.resume(with: .success(try await operation()))
            } catch {
                answer.resume(with: .failure(error))
            }
        }
        // A timer on an event loop, not a sleeping task: a cancelled
        // `Task.sleep` keeps its task and its dispatch timer until the
        // deadline passes, so every batch of a busy queue left about 600
        // bytes behind for 10 s (tens of MB on PostgreSQL, whose ingest
        // runs two such queues); a cancelled scheduled task is freed at once.
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(deadline)) {
            if answer.resume(with: .failure(timedOut)) { work.cancel() }
        }
        answer.onResume { timer.cancel() }
    }
}
