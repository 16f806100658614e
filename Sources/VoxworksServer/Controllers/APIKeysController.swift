import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// A team's API keys: list, create (the key shown once), revoke. Revoking
/// a key ends its console sessions too (they live only while their key does).
struct APIKeysController {
    let store: any APIKeyStore
    let clock: @Sendable () -> Timestamp

    /// A name is for people to tell keys apart: short, one line.
    static let maxNameLength = 100

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.get("/api-keys", use: list)
        group.post("/api-keys", use: create)
        group.delete("/api-keys/:id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let keys = try await store.apiKeys(teamID: teamID)
        return JSONResponse.make(.ok, .object(["success": true, "api_keys": .array(keys.map(Self.representation))]))
    }

    @Sendable func create(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let body = try await request.jsonObjectBody(context: context)
        if let unknown = body.keys.first(where: { $0 != "name" }) {
            throw APIError.badRequest("Unknown field \"\(unknown)\"; the only field is \"name\"")
        }
        let name = try Self.name(body["name"])
        let (key, secret) = try await Self.issue(store: store, teamID: teamID, name: name, now: clock())
        var representation = Self.representation(key).objectValue ?? JSONObject()
        representation["key"] = .string(secret)
        return JSONResponse.make(.created, .object(["success": true, "api_key": .object(representation)]))
    }

    @Sendable func revoke(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("API key") }
        let key = try await Self.revoke(store: store, id: id, teamID: teamID, requestedBy: context.apiKeyHash, now: clock())
        return JSONResponse.make(.ok, .object(["success": true, "api_key": Self.representation(key)]))
    }

    /// A new key for the team: the stored record, and the key itself (shown once, never stored).
    static func issue(store: any APIKeyStore, teamID: UUID, name: String, now: Timestamp) async throws -> (APIKey, String) {
        let secret = SecretMaterial.apiKey()
        let key = try await store.createAPIKey(
            teamID: teamID, keyHash: SecretMaterial.hash(secret), prefix: APIKey.prefix(of: secret), name: name, now: now)
        return (key, secret)
    }

    /// Revokes a key; revoking one already revoked answers it as it is.
    static func revoke(store: any APIKeyStore, id: UUID, teamID: UUID, requestedBy: String?, now: Timestamp) async throws -> APIKey {
        switch try await store.revokeAPIKey(id: id, teamID: teamID, requestedBy: requestedBy, now: now) {
        case .revoked(let key), .alreadyRevoked(let key): return key
        case .notFound: throw APIError.notFound("API key")
        case .lastKey:
            throw APIError(
                .conflict,
                "This is the team's only live API key and cannot revoke itself: create another key first, then revoke this one with it")
        }
    }

    /// As an automation's name: at most `maxNameLength` Unicode scalars as
    /// sent (JSON Schema's `maxLength`), not blank, no control characters
    /// (a NUL would end the text where SQLite reads it back); stored trimmed.
    static func name(_ value: JSONValue?) throws -> String {
        guard let value, let name = value.stringValue else { throw APIError.badRequest("name is required and must be a string") }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, name.unicodeScalars.count <= maxNameLength else {
            throw APIError.badRequest("name must be 1 to \(maxNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("name must not contain control characters")
        }
        return trimmed
    }

    static func representation(_ key: APIKey) -> JSONValue {
        .object([
            "id": .string(key.id.lowercased),
            "name": .string(key.name),
            "prefix": key.prefix.json,
            "created_at": .string(key.createdAt.rfc3339),
            "last_used_at": key.lastUsedAt?.rfc3339.json ?? .null,
            "revoked_at": key.revokedAt?.rfc3339.json ?? .null,
        ])
    }
}
