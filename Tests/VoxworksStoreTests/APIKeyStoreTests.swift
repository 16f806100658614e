import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// API keys: list, create, revoke by id, last use, on every backend.
@Suite struct APIKeyStoreTests {
    static let now = Timestamp(millis: 1_800_000_000_000)

    @Test(arguments: StoreKind.available)
    func keysAreListedRevokedByIdAndTheLastCannotRevokeItself(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let team = try await store.createTeam(name: "T", now: Self.now)
            let other = try await store.createTeam(name: "U", now: Self.now)
            let (secretA, secretB) = (SecretMaterial.apiKey(), SecretMaterial.apiKey())
            let a = try await store.createAPIKey(
                teamID: team.id, keyHash: SecretMaterial.hash(secretA), prefix: APIKey.prefix(of: secretA), name: "ci", now: Self.now)
            let b = try await store.createAPIKey(
                teamID: team.id, keyHash: SecretMaterial.hash(secretB), prefix: APIKey.prefix(of: secretB), name: "deploy",
                now: Self.now.adding(seconds: 1))
            #expect(a.prefix?.count == 7 && a.prefix?.hasPrefix("vx_") == true && secretA.hasPrefix(a.prefix ?? "-"))
            let listed = try await store.apiKeys(teamID: team.id)
            #expect(listed == [a, b])
            #expect(try await store.apiKeys(teamID: other.id).isEmpty)
            #expect(try await store.apiKeyID(forHash: SecretMaterial.hash(secretA), teamID: team.id) == a.id)
            #expect(try await store.apiKeyID(forHash: SecretMaterial.hash(secretA), teamID: other.id) == nil)

            // Another team cannot reach the key.
            #expect(try await store.revokeAPIKey(id: a.id, teamID: other.id, requestedBy: nil, now: Self.now) == .notFound)
            // A key may revoke itself while another is live…
            let later = Self.now.adding(seconds: 5)
            guard
                case .revoked(let revoked) = try await store.revokeAPIKey(
                    id: a.id, teamID: team.id, requestedBy: SecretMaterial.hash(secretA), now: later)
            else {
                Issue.record("a was not revoked")
                return
            }
            #expect(revoked.revokedAt == later)
            #expect(try await store.teamID(forAPIKeyHash: SecretMaterial.hash(secretA)) == nil)
            guard case .alreadyRevoked = try await store.revokeAPIKey(id: a.id, teamID: team.id, requestedBy: nil, now: later) else {
                Issue.record("a second revocation did not say so")
                return
            }
            // …but not when it is the last one; the operator (no requesting key) still can.
            #expect(
                try await store.revokeAPIKey(id: b.id, teamID: team.id, requestedBy: SecretMaterial.hash(secretB), now: later) == .lastKey)
            #expect(try await store.teamID(forAPIKeyHash: SecretMaterial.hash(secretB)) == team.id)
            guard case .revoked = try await store.revokeAPIKey(id: b.id, teamID: team.id, requestedBy: nil, now: later) else {
                Issue.record("b was not revoked by the operator")
                return
            }
            #expect(try await store.apiKeys(teamID: team.id).allSatisfy { $0.revokedAt == later })
        }
    }

    @Test(arguments: StoreKind.available)
    func revokingAKeyByIdEndsItsConsoleSessions(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let team = try await store.createTeam(name: "T", now: Self.now)
            let secret = SecretMaterial.apiKey()
            let key = try await store.createAPIKey(
                teamID: team.id, keyHash: SecretMaterial.hash(secret), prefix: APIKey.prefix(of: secret), name: "k", now: Self.now)
            let session = ConsoleSession(
                tokenHash: SecretMaterial.hash("cookie"), teamID: team.id, apiKeyHash: SecretMaterial.hash(secret), csrfToken: "c",
                createdAt: Self.now, expiresAt: Self.now.adding(seconds: 3600))
            try await store.createConsoleSession(session)
            #expect(try await store.consoleSession(tokenHash: session.tokenHash, now: Self.now) == session)
            _ = try await store.revokeAPIKey(id: key.id, teamID: team.id, requestedBy: nil, now: Self.now)
            #expect(try await store.consoleSession(tokenHash: session.tokenHash, now: Self.now) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func lastUseOnlyMovesForward(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let team = try await store.createTeam(name: "T", now: Self.now)
            let secret = SecretMaterial.apiKey()
            let hash = SecretMaterial.hash(secret)
            _ = try await store.createAPIKey(teamID: team.id, keyHash: hash, prefix: APIKey.prefix(of: secret), name: "k", now: Self.now)
            #expect(try await store.apiKeys(teamID: team.id).first?.lastUsedAt == nil)
            try await store.touchAPIKey(keyHash: hash, now: Self.now.adding(seconds: 60))
            #expect(try await store.apiKeys(teamID: team.id).first?.lastUsedAt == Self.now.adding(seconds: 60))
            // A node with a slower clock does not move it back.
            try await store.touchAPIKey(keyHash: hash, now: Self.now.adding(seconds: 30))
            #expect(try await store.apiKeys(teamID: team.id).first?.lastUsedAt == Self.now.adding(seconds: 60))
        }
    }
}
