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
    private let commitDeadline: Duration

    /// `workSignal` is raised after each commit that added executions.
    /// `commitDeadline` bounds how long one batch may wait for its commit
    /// (see `commitWithDeadline`).
    public init(
        committer: any IngestCommitter, maxBatch: Int = 512, workSignal: WorkSignal? = nil, metrics: ServiceMetrics = .disabled,
        commitDeadline: Duration = .seconds(10)
    ) {
        self.committer = committer
        queue = GroupCommitQueue(maxBatch: maxBatch)
        self.workSignal = workSignal
        self.metrics = metrics
        self.commitDeadline = commitDeadline
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
                let outcomes = try await commitWithDeadline(batch.map(\.request))
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

    /// The commit, or `commitTimedOut` once the deadline passes: there is a
    /// single drain loop, so a commit that never returns would otherwise
    /// block every later webhook while the health check looked fine. If it
    /// commits after all, the senders' retries with the same key get its
    /// execution id back.
    private func commitWithDeadline(_ requests: [IngestRequest]) async throws -> [IngestOutcome] {
        let committer = self.committer
        return try await answerWithin(commitDeadline, timedOut: IngestWriterError.commitTimedOut) {
            try await committer.commitIngest(requests)
        }
    }
}

public enum IngestWriterError: Error {
    case missingOutcome
    /// The batch's commit did not finish within the writer's deadline.
    case commitTimedOut
}
