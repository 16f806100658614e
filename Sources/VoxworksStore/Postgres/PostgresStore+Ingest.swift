import Foundation
import NIOCore
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    /// The channel a commit that adds work notifies, inside its transaction,
    /// so idle workers on every node wake when (and only when) it commits.
    static let workChannel = "voxworks_work"

    /// One transaction for the whole batch (group commit), in a fixed number
    /// of statements whatever the batch size: each statement takes the
    /// batch's rows as arrays (`unnest`), so a batch of 500 costs about five
    /// round trips, not a thousand. Idempotency keys are claimed first, in a
    /// fixed order, with `INSERT … ON CONFLICT` on the primary key: a node
    /// racing on the same key waits for the other's commit and then replays
    /// its execution id; fixed order means two batches cannot deadlock on
    /// each other's keys.
    public func commitIngest(_ batch: [IngestRequest]) async throws -> [IngestOutcome] {
        try await client.withTransaction(logger: logger) { connection in
            var outcomes = [IngestOutcome?](repeating: nil, count: batch.count)
            let claimed = try await self.claimKeys(batch, outcomes: &outcomes, connection: connection)

            // Backlog bound per team, read once for the batch.
            let teams = Array(Set(batch.indices.filter { outcomes[$0] == nil }.map { batch[$0].route.teamID.lowercased }))
            var pendingByTeam: [String: Int] = [:]
            if !teams.isEmpty {
                let rows = try await connection.query("""
                    SELECT team_id, COALESCE(SUM(count), 0)::BIGINT AS pending FROM team_pending_slots
                    WHERE team_id = ANY(\(teams)) GROUP BY team_id
                    """, logger: self.logger)
                for try await (team, pending) in rows.decode((String, Int64).self) { pendingByTeam[team] = Int(pending) }
            }
            var accepted: [Int] = []
            var givenBack: [Int] = []
            for index in batch.indices where outcomes[index] == nil {
                let request = batch[index]
                let team = request.route.teamID.lowercased
                let pending = pendingByTeam[team, default: 0]
                guard pending < request.backlogLimit else {
                    outcomes[index] = .backlogFull
                    if claimed.contains(index) { givenBack.append(index) }
                    continue
                }
                pendingByTeam[team] = pending + 1
                accepted.append(index)
                outcomes[index] = .accepted(request.executionID)
            }
            if !givenBack.isEmpty {
                // A repeat of a key in this batch was told to replay the
                // execution of the request that claimed it; that one was
                // refused, so the repeat is too (it must not get a 202 for an
                // execution that was never stored).
                let refused = Set(givenBack.map { batch[$0].executionID })
                for index in batch.indices {
                    if case .replayed(let id) = outcomes[index], refused.contains(id) { outcomes[index] = .backlogFull }
                }
                // Give the keys back: nothing was accepted under them.
                let requests = givenBack.map { batch[$0] }
                try await connection.query("""
                    DELETE FROM idempotency_records r USING unnest(\(requests.map(\.route.webhookID.lowercased)),
                        \(requests.map { $0.idempotencyKey ?? "" }), \(requests.map(\.executionID.lowercased))) AS g(webhook_id, key, execution_id)
                    WHERE r.webhook_id = g.webhook_id AND r.key = g.key AND r.execution_id = g.execution_id
                    """, logger: self.logger)
            }
            if !accepted.isEmpty {
                try await self.insertExecutions(accepted.map { batch[$0] }, connection: connection)
            }
            return outcomes.map { $0 ?? .conflict }
        }
    }

    /// Claims every key of the batch; returns the indices that won theirs and
    /// fills in the outcome (replay or conflict) of those that did not. A key
    /// twice in one batch is claimed once; the later request then meets the
    /// earlier one's record, as if it had come after it.
    private func claimKeys(_ batch: [IngestRequest], outcomes: inout [IngestOutcome?], connection: PostgresConnection) async throws -> Set<Int> {
        struct Key: Hashable { var webhook: String, key: String }
        let keyed = batch.indices.filter { batch[$0].idempotencyKey != nil }
        guard !keyed.isEmpty else { return [] }
        var first: [Key: Int] = [:]
        var repeats: [Int] = []
        for index in keyed {
            let key = Key(webhook: batch[index].route.webhookID.lowercased, key: batch[index].idempotencyKey ?? "")
            if first[key] == nil { first[key] = index } else { repeats.append(index) }
        }
        let claims = first.sorted { ($0.key.webhook, $0.key.key) < ($1.key.webhook, $1.key.key) }
        let requests = claims.map { batch[$0.value] }
        // A record may be taken over once it has expired at the request's
        // arrival, that is at the new expiry less the TTL (one TTL per node).
        let ttl = requests.map { Int64(($0.idempotencyTTL * 1_000).rounded()) }
        var won = Set<Key>()
        // The keys won come back as one row of two arrays, not a row each:
        // decoding a row is a suspension and an allocation per key.
        let rows = try await connection.query("""
            WITH won AS (
            INSERT INTO idempotency_records AS r (webhook_id, key, fingerprint, execution_id, expires_at)
            SELECT webhook_id, key, fingerprint, execution_id, expires_at
            FROM unnest(\(claims.map(\.key.webhook)), \(claims.map(\.key.key)), \(requests.map { ByteBuffer(bytes: $0.fingerprint ?? []) }),
                        \(requests.map(\.executionID.lowercased)), \(zip(requests, ttl).map { $0.receivedAt.millis + $1 }))
                AS c(webhook_id, key, fingerprint, execution_id, expires_at)
            ORDER BY webhook_id, key
            ON CONFLICT (webhook_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, execution_id = EXCLUDED.execution_id, expires_at = EXCLUDED.expires_at
                WHERE r.expires_at <= EXCLUDED.expires_at - \(ttl.first ?? 0)
            RETURNING webhook_id, key
            )
            SELECT array_agg(webhook_id), array_agg(key) FROM won
            """, logger: logger)
        for try await (webhooks, keys) in rows.decode(([String]?, [String]?).self) {
            for (webhook, key) in zip(webhooks ?? [], keys ?? []) { won.insert(Key(webhook: webhook, key: key)) }
        }

        // Lost claims and repeats: the record that holds the key decides.
        let undecided = claims.filter { !won.contains($0.key) }.map(\.value) + repeats
        var records: [Key: (fingerprint: [UInt8], executionID: UUID?)] = [:]
        if !undecided.isEmpty {
            let keys = Array(Set(undecided.map { Key(webhook: batch[$0].route.webhookID.lowercased, key: batch[$0].idempotencyKey ?? "") }))
            let found = try await connection.query("""
                SELECT r.webhook_id, r.key, r.fingerprint, r.execution_id FROM idempotency_records r
                JOIN unnest(\(keys.map(\.webhook)), \(keys.map(\.key))) AS k(webhook_id, key)
                  ON r.webhook_id = k.webhook_id AND r.key = k.key
                """, logger: logger)
            for try await (webhook, key, fingerprint, executionID) in found.decode((String, String, ByteBuffer, String).self) {
                records[Key(webhook: webhook, key: key)] = (Array(buffer: fingerprint), UUID(uuidString: executionID))
            }
        }
        var claimed = Set<Int>()
        for (key, index) in claims where won.contains(key) {
            claimed.insert(index)
            records[key] = (batch[index].fingerprint ?? [], batch[index].executionID)
        }
        for index in undecided {
            let request = batch[index]
            guard let record = records[Key(webhook: request.route.webhookID.lowercased, key: request.idempotencyKey ?? "")] else {
                throw StoreError.corrupt("idempotency record vanished")
            }
            outcomes[index] = record.fingerprint == (request.fingerprint ?? []) ? record.executionID.map(IngestOutcome.replayed) ?? .conflict : .conflict
        }
        return claimed
    }

    /// The accepted executions, each automation's latest payload as its
    /// sample, and the notification to idle workers (sent by PostgreSQL at
    /// commit), in one statement: one round trip instead of three, since
    /// every round trip of the group commit is time that the batch's
    /// webhooks wait. Absent optional values travel as empty strings (arrays
    /// cannot carry NULLs here); none of them can be empty when present.
    private func insertExecutions(_ requests: [IngestRequest], connection: PostgresConnection) async throws {
        var latest: [UUID: IngestRequest] = [:]
        for request in requests { latest[request.route.automationID] = request }
        let samples = Array(latest.values)
        try await connection.query("""
            WITH executions_added AS (
                INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type, idempotency_key,
                    source_address, received_at, run_at)
                SELECT id, team_id, automation_id, webhook_id, 'pending', body, NULLIF(content_type, ''), NULLIF(idempotency_key, ''),
                    NULLIF(source_address, ''), received_at, received_at
                FROM unnest(\(requests.map(\.executionID.lowercased)), \(requests.map(\.route.teamID.lowercased)),
                            \(requests.map(\.route.automationID.lowercased)), \(requests.map(\.route.webhookID.lowercased)),
                            \(requests.map { ByteBuffer(bytes: $0.body) }), \(requests.map { $0.contentType ?? "" }),
                            \(requests.map { $0.idempotencyKey ?? "" }), \(requests.map { $0.sourceAddress ?? "" }),
                            \(requests.map(\.receivedAt.millis)))
                    AS e(id, team_id, automation_id, webhook_id, body, content_type, idempotency_key, source_address, received_at)
            ), samples_kept AS (
                INSERT INTO automation_samples (automation_id, body, received_at)
                SELECT * FROM unnest(\(samples.map(\.route.automationID.lowercased)), \(samples.map { ByteBuffer(bytes: $0.body) }),
                                     \(samples.map(\.receivedAt.millis)))
                ON CONFLICT (automation_id) DO UPDATE SET body = EXCLUDED.body, received_at = EXCLUDED.received_at
            )
            SELECT pg_notify(\(Self.workChannel), '')
            """, logger: logger)
    }
}
