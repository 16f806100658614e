import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// Group commit: requests that arrive while a transaction is being flushed
/// wait together and go into the next one, so N concurrent webhooks cost one
/// fsync instead of N. A `202` is sent only after `submit` returns, that is
/// after the batch holding it is durable.
public final class IngestWriter: Sendable {
    /// A request, and when it arrived (for the request log's duration).
    private struct Submission: Sendable {
        var request: IngestRequest
        var arrived: ContinuousClock.Instant?
    }

    private let batches: BatchingQueue<Submission, IngestOutcome>

    /// `workSignal` is raised after each commit that added executions.
    /// `commitDeadline` bounds how long one batch may wait for its commit:
    /// past it the batch fails with `commitTimedOut`. If it commits after
    /// all, the senders' retries with the same key get its execution id back.
    public init(
        committer: any IngestCommitter, maxBatch: Int = 512, workSignal: WorkSignal? = nil, metrics: ServiceMetrics = .disabled,
        commitDeadline: Duration = .seconds(10)
    ) {
        batches = BatchingQueue(
            maxBatch: maxBatch, deadline: commitDeadline, timedOut: IngestWriterError.commitTimedOut,
            missingAnswer: IngestWriterError.missingOutcome
        ) { submissions in
            metrics.ingestBatch(size: submissions.count)
            // A logged request's duration runs until its batch is handed
            // to the store: the row is written by that commit, so the
            // commit's own flush cannot be in it.
            let now = ContinuousClock.now
            let requests = submissions.map { submission in
                var request = submission.request
                if let arrived = submission.arrived, request.requestLog != nil {
                    request.requestLog?.durationMillis = Self.millis(now - arrived)
                }
                return request
            }
            let outcomes = try await committer.commitIngest(requests)
            if outcomes.contains(where: { if case .accepted = $0 { true } else { false } }) {
                workSignal?.signal()
            }
            return outcomes
        }
    }

    /// `arrived`: when the request arrived, for the duration its
    /// request log entry records.
    public func submit(_ request: IngestRequest, arrived: ContinuousClock.Instant? = nil) async throws -> IngestOutcome {
        try await batches.submit(Submission(request: request, arrived: arrived))
    }

    static func millis(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

public enum IngestWriterError: Error {
    case missingOutcome
    /// The batch's commit did not finish within the writer's deadline.
    case commitTimedOut
}
