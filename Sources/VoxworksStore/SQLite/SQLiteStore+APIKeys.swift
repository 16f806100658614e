import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    static let apiKeyColumns = "id, team_id, label, prefix, created_at, last_used_at, revoked_at"

    static func apiKey(from row: Row) throws -> APIKey {
        guard let id = UUID(canonical: row["id"]), let teamID = UUID(canonical: row["team_id"]) else {
            throw StoreError.corrupt(table: "api_keys", id: row["id"] ?? "?", detail: "a UUID is unreadable")
        }
        return APIKey(
            id: id, teamID: teamID, name: row["label"], prefix: row["prefix"], createdAt: Timestamp(millis: row["created_at"]),
            lastUsedAt: (row["last_used_at"] as Int64?).map(Timestamp.init(millis:)),
            revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.init(millis:)))
    }

    public func createAPIKey(teamID: UUID, keyHash: String, prefix: String, name: String, now: Timestamp) async throws -> APIKey {
        let key = APIKey(id: .v7(now: now), teamID: teamID, name: name, prefix: prefix, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, team_id, key_hash, label, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.id.lowercased, teamID.lowercased, keyHash, name, prefix, now.millis])
        }
        return key
    }

    public func apiKeys(teamID: UUID) async throws -> [APIKey] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE team_id = ? ORDER BY created_at, id",
                arguments: [teamID.lowercased]
            ).map(Self.apiKey(from:))
        }
    }

    public func revokeAPIKey(id: UUID, teamID: UUID, requestedBy: String?, now: Timestamp) async throws -> APIKeyRevocation {
        try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.apiKeyColumns), key_hash FROM api_keys WHERE id = ? AND team_id = ?",
                    arguments: [id.lowercased, teamID.lowercased])
            else { return .notFound }
            var key = try Self.apiKey(from: row)
            guard key.revokedAt == nil else { return .alreadyRevoked(key) }
            if let requestedBy, requestedBy == row["key_hash"] as String {
                let live = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM api_keys WHERE team_id = ? AND revoked_at IS NULL", arguments: [teamID.lowercased])
                if (live ?? 0) <= 1 { return .lastKey }
            }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [now.millis, id.lowercased])
            key.revokedAt = now
            return .revoked(key)
        }
    }

    public func apiKeyID(forHash hash: String, teamID: UUID) async throws -> UUID? {
        try await pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT id FROM api_keys WHERE key_hash = ? AND team_id = ?", arguments: [hash, teamID.lowercased]
            ).flatMap(UUID.init(canonical:))
        }
    }

    public func touchAPIKey(keyHash: String, now: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET last_used_at = ? WHERE key_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                arguments: [now.millis, keyHash, now.millis])
        }
    }
}
