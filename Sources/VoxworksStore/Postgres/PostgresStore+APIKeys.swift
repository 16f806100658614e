import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    static let apiKeyColumns = "id, team_id, label, prefix, created_at, last_used_at, revoked_at"

    static func apiKey(from row: PostgresRandomAccessRow) throws -> APIKey {
        APIKey(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), name: try row.value("label"), prefix: try row.value("prefix"),
            createdAt: try row.timestamp("created_at"), lastUsedAt: try row.optionalTimestamp("last_used_at"),
            revokedAt: try row.optionalTimestamp("revoked_at"))
    }

    public func createAPIKey(teamID: UUID, keyHash: String, prefix: String, name: String, now: Timestamp) async throws -> APIKey {
        let key = APIKey(id: .v7(now: now), teamID: teamID, name: name, prefix: prefix, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        try await client.query(
            """
            INSERT INTO api_keys (id, team_id, key_hash, label, prefix, created_at)
            VALUES (\(key.id.lowercased), \(teamID.lowercased), \(keyHash), \(name), \(prefix), \(now.millis))
            """, logger: logger)
        return key
    }

    public func apiKeys(teamID: UUID) async throws -> [APIKey] {
        try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE team_id = $1 ORDER BY created_at, id",
                binds: Self.binds(teamID.lowercased)),
            logger: logger
        ).all().map(Self.apiKey(from:))
    }

    public func revokeAPIKey(id: UUID, teamID: UUID, requestedBy: String?, now: Timestamp) async throws -> APIKeyRevocation {
        try await client.withTransaction(logger: logger) { connection in
            // The team's live keys, locked, so that two keys revoking each
            // other at once cannot both pass the last-key check.
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.apiKeyColumns), key_hash FROM api_keys WHERE team_id = $1 ORDER BY id FOR UPDATE",
                    binds: Self.binds(teamID.lowercased)),
                logger: self.logger
            ).all()
            guard let row = try rows.first(where: { try $0.uuid("id") == id }) else { return .notFound }
            var key = try Self.apiKey(from: row)
            guard key.revokedAt == nil else { return .alreadyRevoked(key) }
            if let requestedBy, requestedBy == (try row.value("key_hash", as: String.self)) {
                let live = try rows.filter { try $0.optionalTimestamp("revoked_at") == nil }.count
                if live <= 1 { return .lastKey }
            }
            try await connection.query(
                "UPDATE api_keys SET revoked_at = \(now.millis) WHERE id = \(id.lowercased)", logger: self.logger)
            key.revokedAt = now
            return .revoked(key)
        }
    }

    public func apiKeyID(forHash hash: String, teamID: UUID) async throws -> UUID? {
        try await client.query("SELECT id FROM api_keys WHERE key_hash = \(hash) AND team_id = \(teamID.lowercased)", logger: logger)
            .first().map { try $0.uuid("id") }
    }

    public func touchAPIKey(keyHash: String, now: Timestamp) async throws {
        try await client.query(
            """
            UPDATE api_keys SET last_used_at = \(now.millis)
            WHERE key_hash = \(keyHash) AND (last_used_at IS NULL OR last_used_at < \(now.millis))
            """, logger: logger)
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}
