import GRDB
import VoxworksCore

import Foundation

extension SQLiteStore {
    public func createConsoleSession(_ session: ConsoleSession) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE expires_at <= ?", arguments: [session.createdAt.millis])
            try db.execute(
                sql: """
                    INSERT INTO console_sessions (token_hash, team_id, api_key_hash, csrf_token, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.tokenHash, session.teamID.lowercased, session.apiKeyHash, session.csrfToken,
                    session.createdAt.millis, session.expiresAt.millis,
                ])
        }
    }

    public func consoleSession(tokenHash: String, now: Timestamp) async throws -> ConsoleSession? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.token_hash, s.team_id, s.api_key_hash, s.csrf_token, s.created_at, s.expires_at
                        FROM console_sessions s JOIN api_keys k ON k.key_hash = s.api_key_hash AND k.team_id = s.team_id
                        WHERE s.token_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL
                        """,
                    arguments: [tokenHash, now.millis]),
                let teamID = UUID(canonical: row["team_id"])
            else { return nil }
            return ConsoleSession(
                tokenHash: row["token_hash"], teamID: teamID, apiKeyHash: row["api_key_hash"], csrfToken: row["csrf_token"],
                createdAt: Timestamp(millis: row["created_at"]), expiresAt: Timestamp(millis: row["expires_at"]))
        }
    }

    public func deleteConsoleSession(tokenHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func revokeAPIKey(keyHash: String, now: Timestamp) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE key_hash = ? AND revoked_at IS NULL", arguments: [now.millis, keyHash])
            return db.changesCount > 0
        }
    }

    public func saveSample(automationID: UUID, teamID: UUID, body: [UInt8], receivedAt: Timestamp) async throws -> Bool {
        try await pool.write { db in
            guard
                try Int.fetchOne(
                    db, sql: "SELECT 1 FROM automations WHERE id = ? AND team_id = ? AND deleted_at IS NULL",
                    arguments: [automationID.lowercased, teamID.lowercased]) != nil
            else { return false }
            guard AutomationSample.keeps(size: body.count) else { return true }
            try db.execute(
                sql: "INSERT OR REPLACE INTO automation_samples (automation_id, body, received_at) VALUES (?, ?, ?)",
                arguments: [automationID.lowercased, Data(body), receivedAt.millis])
            return true
        }
    }
}
