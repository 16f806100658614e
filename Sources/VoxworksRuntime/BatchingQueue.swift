/// Callers that arrive while a batch is being processed wait together and
/// go into the next one, which `process` handles in one call (one
/// transaction, one round trip) and answers in order. The shape of group
/// commit (`IngestWriter`) and of the batched rate limiter
/// (`PostgresRateLimiter`), kept in one place.
///
/// A single loop serves every caller, so each call has a deadline: one that
/// never returns (a connection that died without the driver noticing) would
/// otherwise hold every later caller. The loop runs in an unstructured task,
/// not a caller's: a caller that goes away must not cancel a call that
/// answers others too.
public final class BatchingQueue<Request: Sendable, Answer: Sendable>: Sendable {
    @usableFromInline
    struct Waiting: Sendable {
        @usableFromInline var request: Request
        @usableFromInline var continuation: CheckedContinuation<Answer, any Error>

        @inlinable
        init(request: Request, continuation: CheckedContinuation<Answer, any Error>) {
            self.request = request
            self.continuation = continuation
        }
    }

    // Inlinable (with GroupCommitQueue): the callers are in other modules,
    // and each request should go through code specialized for its type.
    @usableFromInline let queue: GroupCommitQueue<Waiting>
    @usableFromInline let deadline: Duration
    @usableFromInline let timedOut: any Error
    @usableFromInline let missingAnswer: any Error
    @usableFromInline let process: @Sendable ([Request]) async throws -> [Answer]

    /// `timedOut` answers a batch whose call passed `deadline`;
    /// `missingAnswer` the callers past the end of a short answer (a bug
    /// in `process`: they fail rather than hang).
    public init(
        maxBatch: Int, deadline: Duration, timedOut: any Error, missingAnswer: any Error,
        process: @escaping @Sendable ([Request]) async throws -> [Answer]
    ) {
        queue = GroupCommitQueue(maxBatch: maxBatch)
        self.deadline = deadline
        self.timedOut = timedOut
        self.missingAnswer = missingAnswer
        self.process = process
    }

    @inlinable
    public func submit(_ request: Request) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            if queue.append(Waiting(request: request, continuation: continuation)) {
                Task { await self.drain() }
            }
        }
    }

    @inlinable
    func drain() async {
        while true {
            let batch = queue.nextBatch()
            if batch.isEmpty { return }
            do {
                let process = self.process
                let requests = batch.map(\.request)
                let answers = try await answerWithin(deadline, timedOut: timedOut) { try await process(requests) }
                for (waiting, answer) in zip(batch, answers) {
                    waiting.continuation.resume(returning: answer)
                }
                for waiting in batch.dropFirst(answers.count) {
                    waiting.continuation.resume(throwing: missingAnswer)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
