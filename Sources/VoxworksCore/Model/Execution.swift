import Foundation

/// One run of an automation, created by a webhook (or a replay).
public struct Execution: Sendable, Hashable {
    public var id: UUID
    public var teamID: UUID
    public var automationID: UUID
    public var status: ExecutionStatus
    /// The request body byte for byte.
    public var body: [UInt8]
    public var contentType: String?
    public var idempotencyKey: String?
    public var sourceAddress: String?
    public var receivedAt: Timestamp
    public var attempt: Int
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var error: String?
    public var replayOf: UUID?
    /// The execution whose id prefixes this one's step `Idempotency-Key`s,
    /// when it is not this one: a replay from the failed step sends the
    /// original's keys, since the receiver may have processed an attempt
    /// that timed out on our side.
    public var stepKeysFrom: UUID?
    public var stepsTotal: Int
    public var stepsCompleted: Int
    /// The replay that completed, after this execution failed or was
    /// dead-lettered: a resolved dead letter no longer counts as open.
    /// Read by the API's execution queries only (nil where the engine reads).
    public var resolvedBy: UUID?

    public init(
        id: UUID, teamID: UUID, automationID: UUID, status: ExecutionStatus, body: [UInt8],
        contentType: String?, idempotencyKey: String?, sourceAddress: String?, receivedAt: Timestamp,
        attempt: Int = 0, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil, error: String? = nil,
        replayOf: UUID? = nil, stepsTotal: Int = 0, stepsCompleted: Int = 0, stepKeysFrom: UUID? = nil
    ) {
        self.stepKeysFrom = stepKeysFrom
        self.id = id
        self.teamID = teamID
        self.automationID = automationID
        self.status = status
        self.body = body
        self.contentType = contentType
        self.idempotencyKey = idempotencyKey
        self.sourceAddress = sourceAddress
        self.receivedAt = receivedAt
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.replayOf = replayOf
        self.stepsTotal = stepsTotal
        self.stepsCompleted = stepsCompleted
    }

    /// What step `Idempotency-Key`s start with: `<this>:<step_id>`.
    public var stepKeyPrefix: UUID { stepKeysFrom ?? id }

    public var durationMillis: Int64? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt.millis - startedAt.millis
    }
}

/// Filters of `GET /api/v1/executions`.
public struct ExecutionQuery: Sendable {
    public var automationID: UUID?
    public var status: ExecutionStatus?
    public var createdAfter: Timestamp?
    public var createdBefore: Timestamp?
    /// Ids are time-ordered; the page starts strictly below this one.
    public var before: UUID?
    public var limit: Int
    /// Only executions received with this idempotency key (exact match,
    /// in the query itself).
    public var idempotencyKey: String?
    /// Only executions whose payload holds a value at a path.
    public var payloadField: ExecutionPayloadFilter?

    /// The filter no index answers (`payloadField`) looks at no more than
    /// this many of the newest executions that match the others: a page may then hold fewer matches than exist further back,
    /// and narrowing the time range or the automation reaches them.
    public static let scanBound = 5_000

    /// Whether the store must scan rows rather than read an index.
    public var needsScan: Bool { payloadField != nil }

    /// Whether `execution` (its body loaded when `payloadField` is set)
    /// passes the scanned filters.
    public func scanMatches(_ execution: Execution) -> Bool {
        if let payloadField, !payloadField.matches(execution.body) { return false }
        return true
    }

    public init(
        automationID: UUID? = nil, status: ExecutionStatus? = nil, createdAfter: Timestamp? = nil, createdBefore: Timestamp? = nil,
        before: UUID? = nil, limit: Int = 25, idempotencyKey: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.automationID = automationID
        self.status = status
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.before = before
        self.limit = limit
    }
}
