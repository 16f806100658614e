import Foundation
import NIOCore
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    /// The channel a commit that adds work notifies, inside its transaction,
    /// so idle workers on every node wake when (and only when) it commits.
    static let workChannel = "voxworks_work"

    /// One transaction for the whole batch (group commit), in one round
    /// trip whatever the batch size: `ingest_batch` (migration 22) takes the
    /// batch's rows as arrays and claims the idempotency keys, applies the
    /// backlog bound, inserts the accepted executions and notifies idle
    /// workers, as one statement. Keys are claimed in a fixed order with
    /// `INSERT … ON CONFLICT` on the primary key: a node racing on the same
    /// key waits for the other's commit and then replays its execution id;
    /// fixed order means two batches cannot deadlock on each other's keys.
    /// Five statements of an explicit transaction did the same before, each
    /// a round trip (and a parse and a plan) the batch's webhooks waited for.
    public func commitIngest(_ batch: [IngestRequest]) async throws -> [IngestOutcome] {
        guard let first = batch.first else { return [] }
        // A record may be taken over once it has expired at the request's
        // arrival, that is at the new expiry less the TTL (one TTL per node).
        let ttl = Int64((first.idempotencyTTL * 1_000).rounded())
        let rows = try await client.rows(IngestBatch.statement(batch, ttl: ttl), preparedAs: IngestBatch.self, logger: logger)
        let outcomes = try rows.first?.value("outcomes", as: [Int16].self) ?? []
        let replays = try rows.first?.value("replays", as: [String].self) ?? []
        guard outcomes.count == batch.count, replays.count == batch.count else {
            throw StoreError.inconsistent("ingest_batch answered \(outcomes.count) outcomes for \(batch.count) requests")
        }
        // 0 accepted, 1 a replay of `replays[i]`, 2 a key held with another
        // body, 3 the backlog is full; anything else is a bug, said as such.
        var answers: [IngestOutcome] = []
        answers.reserveCapacity(batch.count)
        for index in batch.indices {
            switch outcomes[index] {
            case 0: answers.append(.accepted(batch[index].executionID))
            case 1:
                guard let original = UUID(uuidString: replays[index]) else {
                    throw StoreError.inconsistent("ingest_batch answered a replay of \"\(replays[index])\"")
                }
                answers.append(.replayed(original))
            case 2: answers.append(.conflict)
            case 3: answers.append(.backlogFull)
            default: throw StoreError.inconsistent("ingest_batch answered outcome \(outcomes[index])")
            }
        }
        return answers
    }

    /// `commitIngest`'s statement, prepared on each connection.
    enum IngestBatch: PostgresPreparedText {
        static let name = "voxworks_ingest_batch"
        static let template = statement([], ttl: 0)

        static func statement(_ batch: [IngestRequest], ttl: Int64, started: ContinuousClock.Instant = .now) -> PostgresStatement {
            var parameters = PostgresParameters()
            let arguments = [
                parameters.add(batch.map(\.executionID.lowercased)), parameters.add(batch.map(\.route.teamID.lowercased)),
                parameters.add(batch.map(\.route.automationID.lowercased)), parameters.add(batch.map(\.route.webhookID.lowercased)),
                parameters.add(batch.map { ByteBuffer(bytes: $0.body) }), parameters.add(batch.map { $0.contentType ?? "" }),
                parameters.add(batch.map { $0.idempotencyKey ?? "" }),
                parameters.add(batch.map { ByteBuffer(bytes: $0.fingerprint ?? []) }),
                parameters.add(batch.map { $0.sourceAddress ?? "" }), parameters.add(batch.map(\.receivedAt.millis)),
                parameters.add(batch.map { Int64($0.backlogLimit) }), parameters.add(ttl), parameters.add(workChannel),
                parameters.add(batch.map { $0.requestLogText(commitStarted: started) ?? "" }),
            ]
            return parameters.statement("SELECT outcomes, replays FROM ingest_batch(\(arguments.joined(separator: ", ")))")
        }
    }
}
