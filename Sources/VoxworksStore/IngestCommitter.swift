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
    /// console's Test Webhook).
    public var requestLog: ExecutionRequestLog?

    public init(
        executionID: UUID, route: WebhookRoute, body: [UInt8], contentType: String?, idempotencyKey: String?, fingerprint: [UInt8]?,
        sourceAddress: String?, receivedAt: Timestamp, backlogLimit: Int, idempotencyTTL: Double, requestLog: ExecutionRequestLog? = nil
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
