import Crypto
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

/// `POST /api/v1/hooks/{token}` against the contract, in process.
@Suite struct HooksEndpointTests {
    @Test(arguments: StoreKind.available)
    func acceptsAndStoresTheBodyByteForByte(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        let body = "{ \"contact_phone\" : \"0429069971\",\n \"big\": 12345678901234567890, \"source\":\"crm\" }"
        try await harness.withRouter { client in
            let response = try await client.execute(
                uri: hookPath(automation.webhook.token), method: .post,
                headers: jsonHeaders(["X-Idempotency-Key": "lead-1"]), body: ByteBuffer(string: body))
            let id = try expectAccepted(response)
            #expect(response.header("X-RateLimit-Limit") == "100")
            #expect(response.header("X-RateLimit-Remaining") == "99")
            #expect(response.header("X-Request-Id")?.isEmpty == false)
            #expect(response.header("Idempotent-Replayed") == nil)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)

            let stored = try #require(try await harness.store.execution(id: id, teamID: harness.teamID))
            #expect(stored.body == Array(body.utf8))
            #expect(stored.status == .pending)
            #expect(stored.automationID == automation.id)
            #expect(stored.idempotencyKey == "lead-1")
            #expect(stored.contentType == "application/json")
        }
    }

    @Test(arguments: StoreKind.available)
    func unknownDisabledAndDeletedTokensAreNotFound(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let disabled = try await harness.automation(enabled: false).automation
        let deleted = try await harness.automation().automation
        _ = try await harness.store.deleteAutomation(id: deleted.id, teamID: harness.teamID, now: .now())
        try await harness.withRouter { client in
            for token in [
                SecretMaterial.webhookToken(), disabled.webhook.token, deleted.webhook.token, "x", String(repeating: "a", count: 5000),
            ] {
                let response = try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
                try expectError(response, .notFound, message: "Webhook not found")
                // Nothing about an unknown token may leak, not even its limit.
                #expect(response.header("X-RateLimit-Limit") == nil)
            }
        }
        #expect(try await harness.executionCount() == 0)
    }

    @Test(arguments: StoreKind.available)
    func requestIDIsEchoedWhenSaneAndReplacedOtherwise(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let sane = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Request-Id": "crm-req.42"]), body: ByteBuffer(string: "{}"))
            #expect(sane.header("X-Request-Id") == "crm-req.42")
            let insane = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Request-Id": "<script>"]), body: ByteBuffer(string: "{}"))
            let generated = try #require(insane.header("X-Request-Id"))
            #expect(generated != "<script>" && !generated.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func rateLimitRefusesOverTheBurstWithRetryAfter(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation(rateLimit: RateLimit(perSecond: 1, burst: 3)).automation.webhook.token
        harness.clock.freeze()
        try await harness.withRouter { client in
            for expectedRemaining in [2, 1, 0] {
                let response = try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
                _ = try expectAccepted(response)
                #expect(response.header("X-RateLimit-Remaining") == String(expectedRemaining))
            }
            let refused = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            try expectError(refused, .tooManyRequests, message: "Rate limit exceeded")
            #expect(refused.header("X-RateLimit-Limit") == "3")
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 2)

            // One interval later one more fits.
            harness.clock.advance(seconds: 1.01)
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
        }
        // The refused request cost nothing: four executions, not five.
        #expect(try await harness.executionCount() == 4)
    }

    @Test(arguments: StoreKind.available)
    func teamCeilingAppliesAcrossWebhooks(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.teamRateLimit = RateLimit(perSecond: 1, burst: 2) }
        let first = try await harness.automation().automation.webhook.token
        let second = try await harness.automation().automation.webhook.token
        harness.clock.freeze()
        try await harness.withRouter { client in
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(first), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(second), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let refused = try await client.execute(
                uri: hookPath(first), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            try expectError(refused, .tooManyRequests, message: "Team rate limit exceeded")
            #expect(refused.header("Retry-After") != nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func aRequestRefusedByItsWebhookLimitDoesNotChargeTheTeam(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.teamRateLimit = RateLimit(perSecond: 1, burst: 2) }
        let limited = try await harness.automation(rateLimit: RateLimit(perSecond: 1, burst: 1)).automation.webhook.token
        let other = try await harness.automation().automation.webhook.token
        harness.clock.freeze()
        try await harness.withRouter { client in
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(limited), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            for _ in 0..<3 {
                let refused = try await client.execute(
                    uri: hookPath(limited), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
                try expectError(refused, .tooManyRequests, message: "Rate limit exceeded")
            }
            // The team's second slot is still free: the refusals above cost it nothing.
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(other), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let refused = try await client.execute(
                uri: hookPath(other), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            try expectError(refused, .tooManyRequests, message: "Team rate limit exceeded")
        }
        #expect(try await harness.executionCount() == 2)
    }

    @Test(arguments: StoreKind.available)
    func oversizedBodyIs413(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.maxBodyBytes = 1024 }
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let exact = "{\"a\":\"" + String(repeating: "x", count: 1024 - 8) + "\"}"
            #expect(exact.utf8.count == 1024)
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: exact)))
            let over = "{\"a\":\"" + String(repeating: "x", count: 1024 - 7) + "\"}"
            let response = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: over))
            try expectError(response, .contentTooLarge, message: "Request body is larger than the limit of 1024 bytes")
            #expect(response.header("X-RateLimit-Limit") == "100")
        }
        #expect(try await harness.executionCount() == 1)
    }

    @Test(arguments: [
        ("text/plain", false), ("application/x-www-form-urlencoded", false), ("application/jsonx", false), ("json", false),
        ("application/json", true), ("application/json; charset=utf-8", true), ("Application/JSON", true),
        ("application/vnd.crm.lead+json", true),
    ])
    func contentType(_ contentType: String, accepted: Bool) async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let response = try await client.execute(
                uri: hookPath(token), method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: "{\"a\":1}"))
            if accepted {
                _ = try expectAccepted(response)
            } else {
                try expectError(response, .badRequest, message: "Content-Type must be application/json")
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func missingContentTypeIsAcceptedForAnObject(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            _ = try expectAccepted(try await client.execute(uri: hookPath(token), method: .post, body: ByteBuffer(string: "{\"a\":1}")))
            try expectError(
                try await client.execute(uri: hookPath(token), method: .post, body: ByteBuffer(string: "[1]")),
                .badRequest, message: "Request body must be a JSON object")
        }
    }

    @Test(arguments: [
        ("[1,2]", "Request body must be a JSON object"),
        ("\"text\"", "Request body must be a JSON object"),
        ("null", "Request body must be a JSON object"),
        ("42", "Request body must be a JSON object"),
        ("", "Malformed JSON at byte 0"),
        ("{\"a\":", "Malformed JSON at byte 5"),
        ("{\"a\":1,}", "Malformed JSON at byte 7"),
        ("{\"a\":1} x", "Malformed JSON at byte 8"),
    ])
    func nonObjectAndMalformedJSON(_ body: String, message: String) async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)),
                .badRequest, message: message)
        }
        #expect(try await harness.executionCount() == 0)
    }

    @Test(arguments: StoreKind.available)
    func invalidUTF8AndDeepNestingAre400(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            var invalid = ByteBuffer(string: "{\"a\":\"")
            invalid.writeBytes([0xC0, 0x80])
            invalid.writeString("\"}")
            let utf8 = try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: invalid), .badRequest)
            #expect(utf8.contains("UTF-8"))
            let deep = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
            let depth = try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: deep)),
                .badRequest)
            #expect(depth.contains("64"))
            let ok = String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: ok)))
        }
    }

    @Test(arguments: StoreKind.available)
    func checksRunInTheContractOrder(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.maxBodyBytes = 64 }
        let (signed, _) = try await harness.automation(signing: true, rateLimit: RateLimit(perSecond: 0.001, burst: 1))
        let big = ByteBuffer(string: "{\"a\":\"" + String(repeating: "x", count: 100) + "\"}")
        harness.clock.freeze()
        try await harness.withRouter { client in
            // Token before everything: an unknown token with a huge, unsigned, bad body is a 404.
            try expectError(
                try await client.execute(uri: hookPath("nope"), method: .post, headers: [.contentType: "text/plain"], body: big), .notFound)
            // Body size before content type and signature.
            try expectError(
                try await client.execute(
                    uri: hookPath(signed.webhook.token), method: .post, headers: [.contentType: "text/plain"], body: big), .contentTooLarge)
            // The rate limit (burst 1, now used) before body size.
            try expectError(
                try await client.execute(
                    uri: hookPath(signed.webhook.token), method: .post, headers: [.contentType: "text/plain"], body: big), .tooManyRequests)
        }
        let (other, _) = try await harness.automation(signing: true)
        try await harness.withRouter { client in
            // Content type before signature.
            try expectError(
                try await client.execute(
                    uri: hookPath(other.webhook.token), method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "[")),
                .badRequest, message: "Content-Type must be application/json")
            // Signature before JSON: an unsigned malformed body is a 401, not a 400.
            try expectError(
                try await client.execute(
                    uri: hookPath(other.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "[")),
                .unauthorized, message: "Missing webhook signature")
        }
    }

    @Test(arguments: StoreKind.available)
    func idempotentReplayReturnsTheOriginalExecution(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let body = ByteBuffer(string: "{\"lead\":7}")
            let first = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "k-1"]), body: body))
            let again = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "k-1"]), body: body)
            #expect(try expectAccepted(again) == first)
            #expect(again.header("Idempotent-Replayed") == "true")
            // `Idempotency-Key` is the same key.
            let viaOtherHeader = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["Idempotency-Key": "k-1"]), body: body)
            #expect(try expectAccepted(viaOtherHeader) == first)

            let conflict = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "k-1"]),
                body: ByteBuffer(string: "{\"lead\":8}"))
            try expectError(conflict, .conflict, message: "Idempotency key was already used with a different payload")
            #expect(conflict.header("X-RateLimit-Limit") != nil)

            // Without a key every request is new.
            let a = try expectAccepted(try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: body))
            let b = try expectAccepted(try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: body))
            #expect(a != b)
        }
        #expect(try await harness.executionCount() == 3)
    }

    @Test(arguments: StoreKind.available)
    func idempotencyKeysAreScopedToOneWebhook(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let first = try await harness.automation().automation.webhook.token
        let second = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let body = ByteBuffer(string: "{}")
            let a = try expectAccepted(
                try await client.execute(
                    uri: hookPath(first), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "same"]), body: body))
            let b = try expectAccepted(
                try await client.execute(
                    uri: hookPath(second), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "same"]), body: body))
            #expect(a != b)
        }
    }

    @Test(arguments: [String(repeating: "k", count: 256), "has space", "ünïcode"])
    func invalidIdempotencyKeyIs400(_ key: String) async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            var headers = jsonHeaders()
            headers[HTTPField.Name("X-Idempotency-Key")!] = key
            try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: headers, body: ByteBuffer(string: "{}")),
                .badRequest, message: "Idempotency key must be 1 to 255 visible ASCII characters")
        }
    }

    /// Every idempotency header present must be well formed, not only the one used.
    @Test(arguments: [("X-Idempotency-Key", "ok"), ("Idempotency-Key", "has space"), ("webhook-id", "ünïcode")])
    func malformedUnusedIdempotencyHeaderIs400(_ pair: (String, String)) async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            var headers = jsonHeaders()
            headers[HTTPField.Name("X-Idempotency-Key")!] = "valid-key"
            headers[HTTPField.Name("Idempotency-Key")!] = "also-valid"
            headers[HTTPField.Name(pair.0)!] = pair.1
            let response = try await client.execute(uri: hookPath(token), method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            if pair.1 == "ok" {
                _ = try expectAccepted(response)
            } else {
                try expectError(response, .badRequest, message: "Idempotency key must be 1 to 255 visible ASCII characters")
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func fiftyConcurrentIdenticalRequestsMakeOneExecution(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        let ids = try await harness.withRouter { client in
            try await withThrowingTaskGroup(of: UUID.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "burst-1"]),
                            body: ByteBuffer(string: "{\"same\":true}"))
                        return try expectAccepted(response)
                    }
                }
                var ids: [UUID] = []
                for try await id in group { ids.append(id) }
                return ids
            }
        }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 1)
        #expect(try await harness.executionCount() == 1)
    }

    @Test(arguments: StoreKind.available)
    func backlogBoundRefusesNewWorkButStillReplays(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.backlogLimit = 2 }
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            let first = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "a"]), body: ByteBuffer(string: "{}")))
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let refused = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            try expectError(refused, .tooManyRequests)
            #expect(refused.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
            let replay = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "a"]), body: ByteBuffer(string: "{}"))
            #expect(try expectAccepted(replay) == first)
        }
        #expect(try await harness.executionCount() == 2)
    }

    @Test(arguments: StoreKind.available)
    func storeFailureIs500WithoutDetails(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        await harness.store.shutdown()
        try await harness.withRouter { client in
            let response = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            try expectError(response, .internalServerError, message: "Internal server error")
            try expectError(try await client.execute(uri: "/api/v1/health", method: .get), .serviceUnavailable)
        }
    }

    @Test(arguments: StoreKind.available)
    func unknownRoutesAndMethodsUseTheErrorBody(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            try expectError(try await client.execute(uri: "/nothing/here", method: .get), .notFound)
            // A known path with another method is a 405 that says what is allowed.
            let wrongMethod = try await client.execute(uri: hookPath("any-token"), method: .get)
            try expectError(wrongMethod, .methodNotAllowed, message: "Method not allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
            let contacts = try await client.execute(uri: "/api/v1/contacts", method: .delete)
            try expectError(contacts, .methodNotAllowed)
            #expect(contacts.headers[.allow] == "GET")
            let automation = try await client.execute(uri: "/api/v1/automations/\(UUID().uuidString)", method: .put)
            #expect(automation.headers[.allow] == "DELETE, GET, PATCH")
            let health = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(health.status == .ok)
            #expect(try health.json == .object(["success": true, "status": "ok"]))
            #expect(health.header("X-Request-Id") != nil)
        }
    }
}

/// The header names the server writes are the ones the contract names.
@Suite struct HeaderNameTests {
    @Test func everyHeaderNameParses() {
        let names = [
            "X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-Webhook-Signature", "X-Idempotency-Key",
            "Idempotency-Key", "Idempotent-Replayed", "webhook-id", "webhook-timestamp", "webhook-signature",
        ]
        for name in names {
            #expect(HTTPField.Name(name)?.canonicalName == name.lowercased())
        }
    }
}
