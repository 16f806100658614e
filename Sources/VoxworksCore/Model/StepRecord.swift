/// A step's status in the execution log.
public enum StepStatus: String, Sendable, CaseIterable {
    case pending
    case processing
    case completed
    case failed
    case skipped

    /// A step in one of these states is never run again for its execution.
    public var isDone: Bool { self == .completed || self == .skipped }
}

/// One line of an execution's step log.
public struct StepRecord: Sendable, Equatable {
    public var stepID: String
    public var position: Int
    public var type: String
    public var status: StepStatus
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var attempts: Int
    /// The step's definition with its templates resolved.
    public var input: JSONValue?
    public var output: JSONValue?
    public var error: String?
    /// Each HTTP attempt the step made, across the execution's turns (an
    /// `http_request` step's; empty for the others).
    public var attemptLog: StepAttemptLog

    public init(
        stepID: String, position: Int, type: String, status: StepStatus, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil,
        attempts: Int = 0, input: JSONValue? = nil, output: JSONValue? = nil, error: String? = nil,
        attemptLog: StepAttemptLog = StepAttemptLog()
    ) {
        self.stepID = stepID
        self.position = position
        self.type = type
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.attempts = attempts
        self.input = input
        self.output = output
        self.error = error
        self.attemptLog = attemptLog
    }

    public var durationMillis: Int64? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt.millis - startedAt.millis
    }
}

/// Why an execution is `processing` without a worker holding it, or
/// (`destination`) why a `pending` one is due later without having spent
/// an attempt.
public enum WaitReason: String, Sendable {
    case delay
    case call
    /// Deferred by its `http_request` destination's circuit or in-flight cap:
    /// `pending`, and its next claim does not count an attempt.
    case destination
}
