import Synchronization
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

    private struct Queue {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let committer: any IngestCommitter
    private let maxBatch: Int
    private let queue = Mutex(Queue())
    private let workSignal: WorkSignal?
    private let metrics: ServiceMetrics

    /// `workSignal` is raised after each commit that added executions.
    public init(committer: any IngestCommitter, maxBatch: Int = 512, workSignal: WorkSignal? = nil, metrics: ServiceMetrics = .disabled) {
        self.committer = committer
        self.maxBatch = maxBatch
        self.workSignal = workSignal
        self.metrics = metrics
    }

    public func submit(_ request: IngestRequest) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { queue in
                queue.waiting.append(Waiting(request: request, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain {
                // Not a child of the request's task: a client that hangs up
                // must not cancel a transaction that holds other requests.
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch: [Waiting] = queue.withLock { queue in
                guard !queue.waiting.isEmpty else {
                    queue.draining = false
                    return []
                }
                let count = min(maxBatch, queue.waiting.count)
                let batch = Array(queue.waiting.prefix(count))
                queue.waiting.removeFirst(count)
                return batch
            }
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
