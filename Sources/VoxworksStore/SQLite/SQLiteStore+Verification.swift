import GRDB
import VoxworksCore

import Foundation

extension SQLiteStore {
    public func changeVerification(automationID: UUID, teamID: UUID, change: VerificationChange, now: Timestamp) async throws
        -> Automation?
    {
        defer { routeCache.invalidate() }
        let sealed = try change.credential.map { Data(try StoredCredential.seal($0, with: secretBox)) }
        return try await pool.write { db in
            guard let automation = try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now) else { return nil }
            let webhook = automation.webhook.id.lowercased
            switch change.scheme {
            case .keep: break
            case .off:
                try db.execute(sql: "UPDATE webhooks SET verification = NULL WHERE id = ?", arguments: [webhook])
            case .set(let verification):
                try db.execute(
                    sql: "UPDATE webhooks SET verification = ? WHERE id = ?", arguments: [verification.json.serialized, webhook])
            }
            var previous = change.previous
            if case .off = change.scheme { previous = .endNow }
            switch previous {
            case .keep: break
            case .endNow:
                try db.execute(
                    sql: "UPDATE webhook_secrets SET expires_at = :now WHERE webhook_id = :w AND (expires_at IS NULL OR expires_at > :now)",
                    arguments: ["now": now.millis, "w": webhook])
            case .validUntil(let grace):
                // Those already in a grace period end now, so at most two are ever active.
                try db.execute(
                    sql:
                        "UPDATE webhook_secrets SET expires_at = :now WHERE webhook_id = :w AND expires_at IS NOT NULL AND expires_at > :now",
                    arguments: ["now": now.millis, "w": webhook])
                try db.execute(
                    sql: "UPDATE webhook_secrets SET expires_at = :grace WHERE webhook_id = :w AND expires_at IS NULL",
                    arguments: ["grace": grace.millis, "w": webhook])
            }
            if let sealed {
                try db.execute(
                    sql: "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at, credential_format) VALUES (?, ?, ?, ?, ?)",
                    arguments: [UUID().lowercased, webhook, sealed, now.millis, StoredCredential.jsonFormat])
            }
            if case .set(let accept) = change.accept {
                try db.execute(sql: "UPDATE webhooks SET accept = ? WHERE id = ?", arguments: [accept.map(BodyFormat.stored), webhook])
            }
            try db.execute(sql: "UPDATE automations SET updated_at = ? WHERE id = ?", arguments: [now.millis, automationID.lowercased])
            return try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now)
        }
    }

    public func adoptCredential(webhookID: UUID, credential: SchemeCredential, now: Timestamp) async throws -> Bool {
        defer { routeCache.invalidate() }
        let sealed = Data(try StoredCredential.seal(credential, with: secretBox))
        return try await pool.write { db in
            let active = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM webhook_secrets WHERE webhook_id = ? AND (expires_at IS NULL OR expires_at > ?)",
                arguments: [webhookID.lowercased, now.millis])
            guard active == 0 else { return false }
            try db.execute(
                sql: "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at, credential_format) VALUES (?, ?, ?, ?, ?)",
                arguments: [UUID().lowercased, webhookID.lowercased, sealed, now.millis, StoredCredential.jsonFormat])
            return true
        }
    }
}
