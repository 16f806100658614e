import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    /// The channel a commit that adds work notifies, inside its transaction,
    /// so idle workers on every node wake when (and only when) it commits.
    static let workChannel = "voxworks_work"

    /// One transaction for the whole batch (group commit). Idempotency keys
    /// are claimed first, in a fixed order, with `INSERT … ON CONFLICT` on
    /// the primary key: a node racing on the same key waits for the other's
    /// commit and then replays its execution id; fixed order means two
    /// batches cannot deadlock on each other's keys.
    public func commitIngest(_ batch: [IngestRequest]) async throws -> [IngestOutcome] {
        try await client.withTransaction(logger: logger) { connection in
            var outcomes = [IngestOutcome?](repeating: nil, count: batch.count)
            let keyed = batch.indices.filter { batch[$0].idempotencyKey != nil }.sorted {
                (batch[$0].route.webhookID.lowercased, batch[$0].idempotencyKey ?? "") < (batch[$1].route.webhookID.lowercased, batch[$1].idempotencyKey ?? "")
            }
            var claimed = Set<Int>()
            for index in keyed {
                let request = batch[index]
                let webhook = request.route.webhookID.lowercased
                let key = request.idempotencyKey ?? ""
                let fingerprint = Data(request.fingerprint ?? [])
                let expires = request.receivedAt.adding(seconds: request.idempotencyTTL).millis
                let won = try await connection.query("""
                    INSERT INTO idempotency_records (webhook_id, key, fingerprint, execution_id, expires_at)
                    VALUES (\(webhook), \(key), \(fingerprint), \(request.executionID.lowercased), \(expires))
                    ON CONFLICT (webhook_id, key) DO UPDATE
                        SET fingerprint = EXCLUDED.fingerprint, execution_id = EXCLUDED.execution_id, expires_at = EXCLUDED.expires_at
                        WHERE idempotency_records.expires_at <= \(request.receivedAt.millis)
                    RETURNING execution_id
                    """, logger: self.logger).first()
                if won != nil {
                    claimed.insert(index)
                    continue
                }
                guard let existing = try await connection.query(
                    "SELECT fingerprint, execution_id FROM idempotency_records WHERE webhook_id = \(webhook) AND key = \(key)",
                    logger: self.logger).first()
                else { throw StoreError.corrupt("idempotency record vanished") }
                let original = try existing.optionalUUID("execution_id")
                outcomes[index] = (try existing.bytes("fingerprint")) == (request.fingerprint ?? []) ? original.map(IngestOutcome.replayed) ?? .conflict : .conflict
            }
            var pendingByTeam: [UUID: Int] = [:]
            var latestByAutomation: [UUID: IngestRequest] = [:]
            var accepted = 0
            for index in batch.indices where outcomes[index] == nil {
                let request = batch[index]
                let team = request.route.teamID
                let pending: Int
                if let known = pendingByTeam[team] {
                    pending = known
                } else {
                    pending = Int(try await connection.query("SELECT pending_count FROM teams WHERE id = \(team.lowercased)", logger: self.logger)
                        .first()?.value("pending_count", as: Int64.self) ?? 0)
                }
                guard pending < request.backlogLimit else {
                    pendingByTeam[team] = pending
                    outcomes[index] = .backlogFull
                    if claimed.contains(index), let key = request.idempotencyKey {
                        // Give the key back: nothing was accepted under it.
                        try await connection.query(
                            "DELETE FROM idempotency_records WHERE webhook_id = \(request.route.webhookID.lowercased) AND key = \(key) AND execution_id = \(request.executionID.lowercased)",
                            logger: self.logger)
                    }
                    continue
                }
                try await connection.query("""
                    INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type, idempotency_key,
                        source_address, received_at, run_at)
                    VALUES (\(request.executionID.lowercased), \(team.lowercased), \(request.route.automationID.lowercased),
                        \(request.route.webhookID.lowercased), 'pending', \(Data(request.body)), \(request.contentType), \(request.idempotencyKey),
                        \(request.sourceAddress), \(request.receivedAt.millis), \(request.receivedAt.millis))
                    """, logger: self.logger)
                pendingByTeam[team] = pending + 1
                latestByAutomation[request.route.automationID] = request
                accepted += 1
                outcomes[index] = .accepted(request.executionID)
            }
            for (automationID, request) in latestByAutomation {
                try await connection.query("""
                    INSERT INTO automation_samples (automation_id, body, received_at) VALUES (\(automationID.lowercased), \(Data(request.body)), \(request.receivedAt.millis))
                    ON CONFLICT (automation_id) DO UPDATE SET body = EXCLUDED.body, received_at = EXCLUDED.received_at
                    """, logger: self.logger)
            }
            if accepted > 0 {
                try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(Self.workChannel)"), logger: self.logger)
            }
            return outcomes.map { $0 ?? .conflict }
        }
    }
}
