import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit for the engine's writes. SQLite has one writer and every
/// commit waits for an fsync (`synchronous=FULL`); workers that write at
/// the same moment (a claim, a step-log line, an outcome) share one
/// transaction, each in a savepoint of its own so that one failing write
/// does not undo the others. Every caller is answered only after the
/// transaction holding its write has committed.
///
/// The transactions run on a thread of the batcher's own, not on a task:
/// a draining task shares the two-thread cooperative pool with every worker
/// it answers, so after each commit it waited behind all of them before it
/// could start the next transaction, and writer and workers took turns
/// instead of running side by side. The thread takes what has queued as
/// soon as a commit ends, and sleeps when there is nothing.
final class SQLiteWriteBatcher: Sendable {
    private struct Job: Sendable {
        /// Runs the write (in its savepoint) and keeps its result; throws
        /// only when the savepoint itself failed, which fails the batch.
        let run: @Sendable (Database) throws -> Void
        /// Called after the commit (nil) or when the transaction failed.
        let complete: @Sendable ((any Error)?) -> Void
    }

    /// What the caller side and the writer thread share.
    private final class Queue: Sendable {
        struct State: ~Copyable {
            var jobs: [Job] = []
            var sleeping = false
            var stopped = false
        }

        let state = Mutex(State())
        let wake = DispatchSemaphore(value: 0)
        let maxBatch: Int

        init(maxBatch: Int) {
            self.maxBatch = maxBatch
        }

        /// False when the batcher has stopped.
        func append(_ job: Job) -> Bool {
            let (accepted, wakeThread) = state.withLock { state -> (Bool, Bool) in
                guard !state.stopped else { return (false, false) }
                state.jobs.append(job)
                guard state.sleeping else { return (true, false) }
                state.sleeping = false
                return (true, true)
            }
            if wakeThread { wake.signal() }
            return accepted
        }

        func stop() {
            let wakeThread = state.withLock { state in
                state.stopped = true
                defer { state.sleeping = false }
                return state.sleeping
            }
            if wakeThread { wake.signal() }
        }

        /// The next batch, oldest first; waits while there is none. Nil once stopped and empty.
        func nextBatch() -> [Job]? {
            while true {
                let batch = state.withLock { state -> [Job]?? in
                    if state.jobs.isEmpty {
                        if state.stopped { return .some(nil) }
                        state.sleeping = true
                        return nil
                    }
                    let batch = Array(state.jobs.prefix(maxBatch))
                    state.jobs.removeFirst(batch.count)
                    return .some(batch)
                }
                if let batch { return batch }
                wake.wait()
            }
        }
    }

    private let queue: Queue

    init(pool: DatabasePool, maxBatch: Int = 256) {
        let queue = Queue(maxBatch: maxBatch)
        self.queue = queue
        // Holds the pool and the queue, not the batcher, so that dropping
        // the batcher stops the thread (see deinit).
        let thread = Thread {
            // Named from inside: on Linux a name set before start is not applied
            // (the thread showed its creator's), and the limit is 15 bytes.
            Thread.current.name = "sqlite-writer"
            Self.raisePriority()
            while let batch = queue.nextBatch() {
                do {
                    // GRDB runs a synchronous write on the calling thread.
                    try pool.write { db in
                        for job in batch { try job.run(db) }
                    }
                    for job in batch { job.complete(nil) }
                } catch {
                    for job in batch { job.complete(error) }
                }
            }
        }
        thread.start()
    }

    deinit {
        queue.stop()
    }

    /// Every worker waits on this one thread, yet the kernel shares the
    /// CPU evenly among the threads that feed it: measured with `perf
    /// sched`, the writer spent about a third of a drain runnable but
    /// preempted by them. A lower nice value (Linux: per thread) lets it
    /// run when it can. Needs CAP_SYS_NICE (or a raised RLIMIT_NICE);
    /// without it the call fails and the thread keeps the default.
    private static func raisePriority() {
        #if os(Linux)
            // On Linux the nice value is per thread, and 0 names the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, -10)
        #endif
    }

    /// Finishes what is queued, then ends the thread; later writes fail.
    func stop() {
        queue.stop()
    }

    /// `work` in a savepoint of its own: rolled back alone when it throws.
    /// GRDB's `inSavepoint` compiles its two statements at every call, a
    /// cost that showed next to writes this small; these are cached.
    private static func inSavepoint<T>(_ db: Database, _ work: (Database) throws -> T) throws -> Result<T, any Error> {
        try db.cachedStatement(sql: "SAVEPOINT job").execute()
        let result = Result { try work(db) }
        if case .failure = result {
            try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT job").execute()
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
        return result
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in
                    let value = try Self.inSavepoint(db, work)
                    outcome.withLock { $0 = value }
                },
                complete: { transactionError in
                    if let transactionError {
                        continuation.resume(throwing: transactionError)
                    } else if let value = outcome.withLock({ $0 }) {
                        continuation.resume(with: value)
                    } else {
                        continuation.resume(throwing: StoreError.inconsistent("write did not run"))
                    }
                })
            if !queue.append(job) {
                continuation.resume(throwing: StoreError.closed)
            }
        }
    }
}
