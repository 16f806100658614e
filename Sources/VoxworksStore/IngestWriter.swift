import VoxworksCore

/// Group commit: requests that arrive while a transaction is being flushed
/// wait together and go into the next one, so N concurrent webhooks cost one
/// fsync instead of N. A `202` is sent only after `submit` returns, that is
/// after the batch holding it is durable.
public final class IngestWriter: Sendable {
    private struct Waiting {
        var request: IngestRequest
        var continuation: CheckedContinuation<IngestOutcome, any Error>
    }

    private let committer: any IngestCommitter
    private let queue: GroupCommitQueue<Waiting>
    private let workSignal: WorkSignal?
    private let metrics: ServiceMetrics

    /// `workSignal` is raised after each commit that added executions.
    public init(committer: any IngestCommitter, maxBatch: Int = 512, workSignal: WorkSignal? = nil, metrics: ServiceMetrics = .disabled) {
        self.committer = committer
        queue = GroupCommitQueue(maxBatch: maxBatch)
        self.workSignal = workSignal
        self.metrics = metrics
    }

    public func submit(_ request: IngestRequest) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            if queue.append(Waiting(request: request, continuation: continuation)) {
                // Not a child of the request's task: a client that hangs up
                // must not cancel a transaction that holds other requests.
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch = queue.nextBatch()
            if batch.isEmpty { return }
            metrics.ingestBatch(size: batch.count)
            do {
                let outcomes = try await committer.commitIngest(batch.map(\.request))
                if outcomes.contains(where: { if case .accepted = $0 { true } else { false } }) {
                    workSignal?.signal()
                }
                for (waiting, outcome) in zip(batch, outcomes) {
                    waiting.continuation.resume(returning: outcome)
                }
                // A committer that answered short is a bug; fail the rest rather than hang them.
                for waiting in batch.dropFirst(outcomes.count) {
                    waiting.continuation.resume(throwing: IngestWriterError.missingOutcome)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}

public enum IngestWriterError: Error {
    case missingOutcome
}
