import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksStore

/// Keeps the store the size of its retention windows: deletes expired
/// idempotency records, and executions (with their step logs) that finished
/// longer ago than the retention period, and request log records older than
/// theirs. Small batches, so no write holds the database for long.
public struct StoreJanitor: Service {
    let store: any MaintenanceStore & RequestLogStore
    let interval: Duration
    let batchSize: Int
    /// Finished executions older than this are deleted; nil keeps them forever.
    let retentionSeconds: Double?
    /// Request log records older than this are deleted.
    let requestLogRetentionSeconds: Double
    let logger: Logger

    public init(
        store: any MaintenanceStore & RequestLogStore, interval: Duration = .seconds(60), batchSize: Int = 500,
        retentionSeconds: Double?, requestLogRetentionSeconds: Double = 168 * 3_600, logger: Logger
    ) {
        self.store = store
        self.requestLogRetentionSeconds = requestLogRetentionSeconds
        self.interval = interval
        self.batchSize = batchSize
        self.retentionSeconds = retentionSeconds
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

    /// One pass; returns (idempotency records, executions) deleted.
    @discardableResult
    public func sweep(now: Timestamp) async -> (records: Int, executions: Int) {
        let records = await drain("expired idempotency records") {
            try await store.deleteExpiredIdempotencyRecords(now: now, limit: batchSize)
        }
        await sweepRequestLog(now: now)
        guard let retentionSeconds else { return (records, 0) }
        let executions = await drain("executions past retention") {
            try await store.deleteFinishedExecutions(before: now.adding(seconds: -retentionSeconds), limit: batchSize)
        }
        return (records, executions)
    }

    /// Deletes request log records past their retention; returns how many.
    @discardableResult
    public func sweepRequestLog(now: Timestamp) async -> Int {
        await drain("request log records past retention") {
            try await store.deleteRequests(receivedBefore: now.adding(seconds: -requestLogRetentionSeconds), limit: batchSize)
        }
    }

    /// Batches until a short one shows nothing more is due.
    private func drain(_ what: String, _ batch: () async throws -> Int) async -> Int {
        var total = 0
        do {
            while true {
                let deleted = try await batch()
                total += deleted
                if deleted < batchSize { break }
                await Task.yield()
            }
            if total > 0 { logger.info("deleted \(what)", metadata: ["count": "\(total)"]) }
        } catch {
            logger.error("cleanup of \(what) failed", metadata: ["error": "\(error)"])
        }
        return total
    }
}
