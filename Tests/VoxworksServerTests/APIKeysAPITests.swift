import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// `/api/v1/api-keys` and the console's keys page, on every backend.
@Suite struct APIKeysAPITests {
    @Test(arguments: StoreKind.available)
    func aKeyIsShownOnceListedByPrefixAndRevokedWithItsSessions(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await client.execute(
                uri: "/api/v1/api-keys", method: .post, headers: bearer(harness.apiKey), body: ByteBuffer(string: #"{"name":"ci"}"#))
            #expect(created.status == .created, "\(created.text)")
            let key = try #require(try created.json["api_key"])
            let secret = try #require(key["key"]?.stringValue)
            let id = try #require(key["id"]?.stringValue)
            #expect(secret.hasPrefix("vx_") && key["name"] == "ci" && key["prefix"]?.stringValue == String(secret.prefix(7)))
            #expect(key["revoked_at"] == .null && key["last_used_at"] == .null)

            // The new key works, and the list shows it without the key itself.
            let listed = try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(secret))
            #expect(listed.status == .ok)
            #expect(!listed.text.contains(secret))
            let keys = try #require(try listed.json["api_keys"]?.arrayValue)
            #expect(keys.count == 2)
            let row = try #require(keys.first { $0["id"]?.stringValue == id })
            #expect(row["name"] == "ci" && row["key"] == nil)
            // Used just now: its last use is recorded.
            #expect(row["last_used_at"]?.stringValue != nil)

            // A console session opened with the new key…
            var browser = ConsoleBrowser(client)
            #expect(try await browser.signIn(secret).status == .seeOther)
            #expect(try await browser.get("/app/keys").status == .ok)

            // …ends when the key is revoked by the other one.
            let revoked = try await client.execute(uri: "/api/v1/api-keys/\(id)", method: .delete, headers: bearer(harness.apiKey))
            #expect(revoked.status == .ok, "\(revoked.text)")
            #expect(try revoked.json["api_key"]?["revoked_at"]?.stringValue != nil)
            try expectError(try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(secret)), .unauthorized)
            let signedOut = try await browser.get("/app/keys")
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[.location] == "/app/sign-in")

            // Now the harness's key is the team's last: it cannot revoke itself.
            let own = try #require(
                try await harness.store.apiKeyID(forHash: SecretMaterial.hash(harness.apiKey), teamID: harness.teamID))
            let refused = try await client.execute(
                uri: "/api/v1/api-keys/\(own.lowercased)", method: .delete, headers: bearer(harness.apiKey))
            #expect(try expectError(refused, .conflict).contains("only live API key"))
            #expect(try await harness.store.teamID(forAPIKeyHash: SecretMaterial.hash(harness.apiKey)) == harness.teamID)
        }
    }

    @Test(arguments: StoreKind.available)
    func anotherTeamsKeyIsNotFoundAndBodiesAreStrict(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (_, otherKey) = try await harness.otherTeam()
        try await harness.withRouter { client in
            let own = try #require(
                try await harness.store.apiKeyID(forHash: SecretMaterial.hash(harness.apiKey), teamID: harness.teamID))
            try expectError(
                try await client.execute(uri: "/api/v1/api-keys/\(own.lowercased)", method: .delete, headers: bearer(otherKey)), .notFound)
            let theirs = try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(otherKey))
            #expect(try theirs.json["api_keys"]?.arrayValue?.count == 1)
            func create(_ body: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/api-keys", method: .post, headers: bearer(harness.apiKey), body: ByteBuffer(string: body))
            }
            #expect(try expectError(try await create(#"{"name":"ci","scope":"all"}"#), .badRequest).contains("\"scope\""))
            try expectError(try await create(#"{}"#), .badRequest)
            try expectError(try await create(#"{"name":"   "}"#), .badRequest)
            try expectError(try await create(#"{"name":"a\u0007b"}"#), .badRequest)
            try expectError(try await create(#"{"name":"\#(String(repeating: "n", count: 101))"}"#), .badRequest)
            try expectError(
                try await client.execute(uri: "/api/v1/api-keys/not-a-uuid", method: .delete, headers: bearer(harness.apiKey)), .notFound)
        }
    }

    @Test func lastUseIsWrittenAtMostOnceAMinutePerKey() async throws {
        let harness = try await TestHarness.make()
        harness.clock.freeze()
        try await harness.withRouter { client in
            func lastUsed() async throws -> Timestamp? {
                try await harness.store.apiKeys(teamID: harness.teamID).first?.lastUsedAt
            }
            _ = try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(harness.apiKey))
            let first = try #require(try await lastUsed())
            harness.clock.advance(seconds: 30)
            _ = try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(harness.apiKey))
            #expect(try await lastUsed() == first)
            harness.clock.advance(seconds: 31)
            _ = try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: bearer(harness.apiKey))
            #expect(try await lastUsed() == first.adding(seconds: 61))
        }
    }

    @Test func theConsoleKeysPageCreatesShowsOnceAndRevokes() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let created = try await browser.post("/app/keys", ["name": "deploy"])
            #expect(created.status == .created)
            let html = created.text
            let secret = try #require(html.range(of: #"vx_[A-Za-z0-9_-]{20,}"#, options: .regularExpression).map { String(html[$0]) })
            #expect(try await harness.store.teamID(forAPIKeyHash: SecretMaterial.hash(secret)) == harness.teamID)
            #expect(created.headers[.cacheControl]?.contains("no-store") == true)
            // Shown once: the list does not show it again.
            let page = try await browser.get("/app/keys")
            #expect(page.status == .ok && !page.text.contains(secret) && page.text.contains("deploy"))
            #expect(page.text.contains("this session&#39;s key") || page.text.contains("this session's key"))
            let id = try #require(try await harness.store.apiKeyID(forHash: SecretMaterial.hash(secret), teamID: harness.teamID))
            #expect(page.text.contains("data-confirm=\"Revoke the key"))
            let revoked = try await browser.post("/app/keys/\(id.lowercased)/revoke", [:])
            #expect(revoked.status == .seeOther)
            #expect(try await harness.store.teamID(forAPIKeyHash: SecretMaterial.hash(secret)) == nil)
            // The session's own key, the team's last, is refused.
            let own = try #require(try await harness.store.apiKeyID(forHash: SecretMaterial.hash(harness.apiKey), teamID: harness.teamID))
            let refused = try await browser.post("/app/keys/\(own.lowercased)/revoke", [:])
            #expect(refused.status == .conflict)
            let invalid = try await browser.post("/app/keys", ["name": ""])
            #expect(invalid.status == .badRequest)
        }
    }
}
