import VoxworksCore

import Foundation

/// What operations read and the janitor deletes: health, queue figures,
/// retention.
public protocol MaintenanceStore: Sendable {
    /// Answers when the database can be read; throws when it cannot.
    func checkHealth() async throws

    func queueStats(now: Timestamp) async throws -> QueueStats
    /// Deletes up to `limit` finished executions (and their step logs) that
    /// finished before `before`; returns how many.
    func deleteFinishedExecutions(before: Timestamp, limit: Int) async throws -> Int
    /// Deletes up to `limit` expired idempotency records; returns how many.
    func deleteExpiredIdempotencyRecords(now: Timestamp, limit: Int) async throws -> Int
}
