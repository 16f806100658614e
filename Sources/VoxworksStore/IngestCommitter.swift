import VoxworksCore

import Foundation

/// One accepted webhook on its way into the store.
public struct IngestRequest: Sendable {
    public var executionID: UUID
    public var route: WebhookRoute
    public var body: [UInt8]
    public var contentType: String?
    public var idempotencyKey: String?
    /// SHA-256 of the body; only needed with a key.
    public var fingerprint: [UInt8]?
    public var sourceAddress: String?
    public var receivedAt: Timestamp
    /// The team's bound on pending executions (docs/webhooks.md, backlog).
    public var backlogLimit: Int
    public var idempotencyTTL: Double
    /// What the request log keeps of the request, stored with the
    /// execution it creates; nil when the request is not logged (the
    /// console's Test Webhook). Its duration is filled in when the batch's
    /// commit begins, from `arrived`.
    public var requestLog: ExecutionRequestLog?
    /// When the request arrived, on this node's monotonic clock.
    public var arrived: ContinuousClock.Instant?

    public init(
        executionID: UUID, route: WebhookRoute, body: [UInt8], contentType: String?, idempotencyKey: String?, fingerprint: [UInt8]?,
        sourceAddress: String?, receivedAt: Timestamp, backlogLimit: Int, idempotencyTTL: Double, requestLog: ExecutionRequestLog? = nil,
        arrived: ContinuousClock.Instant? = nil
    ) {
        self.executionID = executionID
        self.route = route
        self.body = body
        self.contentType = contentType
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
        self.sourceAddress = sourceAddress
        self.receivedAt = receivedAt
        self.backlogLimit = backlogLimit
        self.idempotencyTTL = idempotencyTTL
        self.requestLog = requestLog
        self.arrived = arrived
    }

    /// The request log entry as stored by a commit that began at `commitStarted`:
    /// its duration runs from arrival to then (the commit's own flush cannot
    /// be in it, since the entry is written by that commit).
    func requestLogText(commitStarted: ContinuousClock.Instant) -> String? {
        guard var log = requestLog else { return nil }
        if let arrived {
            let (seconds, attoseconds) = (commitStarted - arrived).components
            log.durationMillis = max(0, Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000))
        }
        return StoredExecutionRequestLog.serialize(log)
    }
}

public enum IngestOutcome: Sendable, Equatable {
    /// A new execution was committed and flushed.
    case accepted(UUID)
    /// The key was seen with the same body: the original execution.
    case replayed(UUID)
    /// The key was seen with a different body.
    case conflict
    /// The team's pending backlog is at its bound.
    case backlogFull
}

/// Commits a batch of webhooks in one transaction with one flush, deciding
/// idempotency and backlog for each inside that transaction so that no
/// other writer can interleave.
public protocol IngestCommitter: Sendable {
    /// One outcome per request, in order. Throws only when the whole
    /// transaction failed (then nothing in it was committed).
    func commitIngest(_ batch: [IngestRequest]) async throws -> [IngestOutcome]
}
