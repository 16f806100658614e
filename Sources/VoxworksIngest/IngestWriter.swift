import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// Group commit: requests that arrive while a transaction is being flushed
/// wait together and go into the next one, so N concurrent webhooks cost one
/// fsync instead of N. A `202` is sent only after `submit` returns, that is
/// after the batch holding it is durable.
public final class IngestWriter: Sendable {
    private let batches: BatchingQueue<IngestRequest, IngestOutcome>

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
        ) { requests in
            metrics.ingestBatch(size: requests.count)
            let outcomes = try await committer.commitIngest(requests)
            if outcomes.contains(where: { if case .accepted = $0 { true } else { false } }) {
                workSignal?.signal()
            }
            return outcomes
        }
    }

    public func submit(_ request: IngestRequest) async throws -> IngestOutcome {
        try await batches.submit(request)
    }
}

public enum IngestWriterError: Error {
    case missingOutcome
    /// The batch's commit did not finish within the writer's deadline.
    case commitTimedOut
}
