import Foundation
import GRDB
import Synchronization

/// Group commit for the engine's writes. SQLite has one writer and every
/// commit waits for an fsync (`synchronous=FULL`); workers that write at
/// the same moment (a claim, a step-log line, an outcome) share one
/// transaction, each in a savepoint of its own so that one failing write
/// does not undo the others. Every caller is answered only after the
/// transaction holding its write has committed.
final class SQLiteWriteBatcher: Sendable {
    private struct Job: Sendable {
        /// Runs the write (in its savepoint) and keeps its result.
        let run: @Sendable (Database) -> Void
        /// Called after the commit (nil) or when the transaction failed.
        let complete: @Sendable ((any Error)?) -> Void
    }

    private let pool: DatabasePool
    private let queue = GroupCommitQueue<Job>(maxBatch: 256)

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in
                    var value: Result<T, any Error>
                    do {
                        var result: T?
                        try db.inSavepoint {
                            result = try work(db)
                            return .commit
                        }
                        value = result.map { .success($0) } ?? .failure(StoreError.corrupt("write produced no result"))
                    } catch {
                        value = .failure(error)
                    }
                    outcome.withLock { $0 = value }
                },
                complete: { transactionError in
                    if let transactionError {
                        continuation.resume(throwing: transactionError)
                    } else if let value = outcome.withLock({ $0 }) {
                        continuation.resume(with: value)
                    } else {
                        continuation.resume(throwing: StoreError.corrupt("write did not run"))
                    }
                })
            if queue.append(job) {
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch = queue.nextBatch()
            if batch.isEmpty { return }
            do {
                try await pool.write { db in
                    for job in batch { job.run(db) }
                }
                for job in batch { job.complete(nil) }
            } catch {
                for job in batch { job.complete(error) }
            }
        }
    }
}
