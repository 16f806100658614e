import Foundation
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    public func createConsoleSession(_ session: ConsoleSession) async throws {
        try await client.query("DELETE FROM console_sessions WHERE expires_at <= \(session.createdAt.millis)", logger: logger)
        try await client.query(
            """
            INSERT INTO console_sessions (token_hash, team_id, api_key_hash, csrf_token, created_at, expires_at)
            VALUES (\(session.tokenHash), \(session.teamID.lowercased), \(session.apiKeyHash), \(session.csrfToken),
                    \(session.createdAt.millis), \(session.expiresAt.millis))
            """, logger: logger)
    }

    public func consoleSession(tokenHash: String, now: Timestamp) async throws -> ConsoleSession? {
        guard
            let row = try await client.query(
                """
                SELECT s.token_hash, s.team_id, s.api_key_hash, s.csrf_token, s.created_at, s.expires_at
                FROM console_sessions s JOIN api_keys k ON k.key_hash = s.api_key_hash AND k.team_id = s.team_id
                WHERE s.token_hash = \(tokenHash) AND s.expires_at > \(now.millis) AND k.revoked_at IS NULL
                """, logger: logger
            ).first()
        else { return nil }
        return ConsoleSession(
            tokenHash: try row.value("token_hash"), teamID: try row.uuid("team_id"), apiKeyHash: try row.value("api_key_hash"),
            csrfToken: try row.value("csrf_token"), createdAt: try row.timestamp("created_at"), expiresAt: try row.timestamp("expires_at"))
    }

    public func deleteConsoleSession(tokenHash: String) async throws {
        try await client.query("DELETE FROM console_sessions WHERE token_hash = \(tokenHash)", logger: logger)
    }

    public func revokeAPIKey(keyHash: String, now: Timestamp) async throws -> Bool {
        try await client.query(
            "UPDATE api_keys SET revoked_at = \(now.millis) WHERE key_hash = \(keyHash) AND revoked_at IS NULL RETURNING id",
            logger: logger
        ).first() != nil
    }

    public func saveSample(automationID: UUID, teamID: UUID, body: [UInt8], receivedAt: Timestamp) async throws -> Bool {
        // An oversized body is not kept (a trigger also refuses it), but
        // the answer still says whether the automation exists.
        try await client.query(
            """
            WITH owner AS (
                SELECT id FROM automations
                WHERE id = \(automationID.lowercased) AND team_id = \(teamID.lowercased) AND deleted_at IS NULL
            ), saved AS (
                INSERT INTO automation_samples (automation_id, body, received_at)
                SELECT id, \(Data(body)), \(receivedAt.millis) FROM owner WHERE \(AutomationSample.keeps(size: body.count))
                ON CONFLICT (automation_id) DO UPDATE SET body = EXCLUDED.body, received_at = EXCLUDED.received_at
                RETURNING automation_id
            )
            SELECT id FROM owner
            """, logger: logger
        ).first() != nil
    }
}
