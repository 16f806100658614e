import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksStore

/// Deletes expired idempotency records in small batches, so that the table
/// stays the size of one retention window and no write holds the database
/// for long.
public struct IdempotencyJanitor: Service {
    let store: any Store
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    public init(store: any Store, interval: Duration = .seconds(60), batchSize: Int = 1000, logger: Logger) {
        self.store = store
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sweep(now: .now())
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: batches until a short one shows nothing more has expired.
    @discardableResult
    public func sweep(now: Timestamp) async -> Int {
        var total = 0
        do {
            while true {
                let deleted = try await store.deleteExpiredIdempotencyRecords(now: now, limit: batchSize)
                total += deleted
                if deleted < batchSize { break }
                await Task.yield()
            }
            if total > 0 { logger.debug("deleted expired idempotency records", metadata: ["count": "\(total)"]) }
        } catch {
            logger.error("idempotency cleanup failed", metadata: ["error": "\(error)"])
        }
        return total
    }
}
