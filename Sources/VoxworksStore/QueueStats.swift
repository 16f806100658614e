import VoxworksCore

/// What an operator asks first: is it receiving, is the queue growing,
/// what is failing. Read by `/metrics` and `voxworks status`.
public struct QueueStats: Sendable, Equatable {
    public var pending: Int
    /// Processing, with a worker holding it.
    public var running: Int
    /// Processing, parked on a delay or a call.
    public var waiting: Int
    public var oldestPendingReceivedAt: Timestamp?
    /// Executions that finished in the last hour, by final status.
    public var finishedLastHour: [ExecutionStatus: Int]
    /// Dead letters no replay has resolved (`Execution.resolvedBy`).
    public var deadLetters: Int
    /// Bytes on disk (database and write-ahead log), when the store knows.
    public var storeBytes: Int64?

    public init(
        pending: Int, running: Int, waiting: Int, oldestPendingReceivedAt: Timestamp?, finishedLastHour: [ExecutionStatus: Int],
        deadLetters: Int, storeBytes: Int64?
    ) {
        self.pending = pending
        self.running = running
        self.waiting = waiting
        self.oldestPendingReceivedAt = oldestPendingReceivedAt
        self.finishedLastHour = finishedLastHour
        self.deadLetters = deadLetters
        self.storeBytes = storeBytes
    }

    public func oldestPendingAgeSeconds(now: Timestamp) -> Double {
        oldestPendingReceivedAt.map { max(0, Double(now.millis - $0.millis) / 1000) } ?? 0
    }
}
