import PostgresNIO
import VoxworksCore

import Foundation

extension PostgresStore {
    public func changeVerification(automationID: UUID, teamID: UUID, change: VerificationChange, now: Timestamp) async throws
        -> Automation?
    {
        defer { routeCache.invalidate() }
        let sealed = try change.credential.map { Data(try StoredCredential.seal($0, with: secretBox)) }
        return try await client.withTransaction(logger: logger) { connection in
            guard let automation = try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now) else {
                return nil
            }
            let webhook = automation.webhook.id.lowercased
            switch change.scheme {
            case .keep: break
            case .off:
                try await connection.query("UPDATE webhooks SET verification = NULL WHERE id = \(webhook)", logger: self.logger)
            case .set(let verification):
                let text = verification.json.serialized
                try await connection.query("UPDATE webhooks SET verification = \(text) WHERE id = \(webhook)", logger: self.logger)
            }
            var previous = change.previous
            if case .off = change.scheme { previous = .endNow }
            switch previous {
            case .keep: break
            case .endNow:
                try await connection.query(
                    """
                    UPDATE webhook_secrets SET expires_at = \(now.millis)
                    WHERE webhook_id = \(webhook) AND (expires_at IS NULL OR expires_at > \(now.millis))
                    """, logger: self.logger)
            case .validUntil(let grace):
                // Those already in a grace period end now, so at most two are ever active.
                try await connection.query(
                    """
                    UPDATE webhook_secrets SET expires_at = \(now.millis)
                    WHERE webhook_id = \(webhook) AND expires_at IS NOT NULL AND expires_at > \(now.millis)
                    """, logger: self.logger)
                try await connection.query(
                    "UPDATE webhook_secrets SET expires_at = \(grace.millis) WHERE webhook_id = \(webhook) AND expires_at IS NULL",
                    logger: self.logger)
            }
            if let sealed {
                try await connection.query(
                    """
                    INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at, credential_format)
                    VALUES (\(UUID().lowercased), \(webhook), \(sealed), \(now.millis), \(Int32(StoredCredential.jsonFormat)))
                    """, logger: self.logger)
            }
            if case .set(let accept) = change.accept {
                let text = accept.map(BodyFormat.stored)
                try await connection.query("UPDATE webhooks SET accept = \(text) WHERE id = \(webhook)", logger: self.logger)
            }
            try await connection.query(
                "UPDATE automations SET updated_at = \(now.millis) WHERE id = \(automationID.lowercased)", logger: self.logger)
            return try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now)
        }
    }

    public func adoptCredential(webhookID: UUID, credential: SchemeCredential, now: Timestamp) async throws -> Bool {
        defer { routeCache.invalidate() }
        let sealed = Data(try StoredCredential.seal(credential, with: secretBox))
        let webhook = webhookID.lowercased
        return try await client.withTransaction(logger: logger) { connection in
            // The webhook's row is locked, so two first handshakes at once adopt one secret.
            _ = try await connection.query("SELECT id FROM webhooks WHERE id = \(webhook) FOR UPDATE", logger: self.logger).first()
            let active = try await connection.query(
                """
                SELECT 1 FROM webhook_secrets
                WHERE webhook_id = \(webhook) AND (expires_at IS NULL OR expires_at > \(now.millis)) LIMIT 1
                """, logger: self.logger
            ).first()
            guard active == nil else { return false }
            try await connection.query(
                """
                INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at, credential_format)
                VALUES (\(UUID().lowercased), \(webhook), \(sealed), \(now.millis), \(Int32(StoredCredential.jsonFormat)))
                """, logger: self.logger)
            return true
        }
    }
}
