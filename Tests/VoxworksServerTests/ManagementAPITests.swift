import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore

/// The management API: Bearer keys, automations and their webhooks, executions.
@Suite struct ManagementAPITests {
    static func createAutomation(_ client: any TestClientProtocol, key: String, body: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/automations", method: .post, headers: bearer(key), body: ByteBuffer(string: body))
    }

    @Test func missingWrongAndMalformedKeysAre401() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let attempts: [HTTPFields] = [
                [:],
                [.authorization: "Bearer vx_wrong"],
                [.authorization: "Basic \(harness.apiKey)"],
                [.authorization: harness.apiKey],
                [.authorization: "Bearer " + SecretMaterial.apiKey()],
            ]
            for headers in attempts {
                for (uri, method) in [
                    ("/api/v1/automations", HTTPRequest.Method.get), ("/api/v1/executions", .get), ("/api/v1/automations", .post),
                ] {
                    try expectError(
                        try await client.execute(uri: uri, method: method, headers: headers), .unauthorized, message: "Invalid API key")
                }
            }
            let ok = try await client.execute(uri: "/api/v1/automations", method: .get, headers: bearer(harness.apiKey))
            #expect(ok.status == .ok)
        }
    }

    @Test func createShowsTheSecretOnceAndTheWebhookWorks() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let created = try await Self.createAutomation(
                client, key: harness.apiKey,
                body: """
                    {"name":"New CRM lead","definition":{"trigger":{"type":"webhook"},"steps":[{"id":"map","type":"transform","mappings":[{"source":"trigger.phone","target":"phone"}]}]},
                     "webhook":{"signing":true,"rate_limit":{"per_second":5,"burst":10}}}
                    """)
            #expect(created.status == .created)
            let automation = try #require(try created.json["automation"])
            #expect(automation["name"] == "New CRM lead")
            #expect(automation["enabled"] == true)
            #expect(automation["definition"]?["steps"]?.arrayValue?.count == 1)
            let webhook = try #require(automation["webhook"])
            let token = try #require(webhook["token"]?.stringValue)
            #expect(token.utf8.count >= 22)
            #expect(webhook["url"]?.stringValue == "https://hooks.example.test/api/v1/hooks/\(token)")
            #expect(webhook["signing"] == true)
            #expect(webhook["rate_limit"] == .object(["per_second": 5, "burst": 10]))
            let secret = try #require(webhook["signing_secret"]?.stringValue)
            let key = try #require(SecretMaterial.signingKey(fromDisplay: secret))
            #expect(key.count == 32)
            #expect(automation["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) != nil)

            // Reading it back never shows the secret again.
            let id = try #require(automation["id"]?.stringValue)
            let shown = try await client.execute(uri: "/api/v1/automations/\(id)", method: .get, headers: bearer(harness.apiKey))
            #expect(shown.status == .ok)
            #expect(try shown.json["automation"]?["webhook"]?["signing_secret"] == nil)
            #expect(!shown.text.contains(secret))

            // The secret signs webhooks.
            let body = "{\"a\":1}"
            let signature = SignatureVerifier.sign(body: Array(body.utf8), key: key)
            let hook = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Webhook-Signature": signature]),
                body: ByteBuffer(string: body))
            _ = try expectAccepted(hook)
            #expect(hook.header("X-RateLimit-Limit") == "10")
        }
    }

    /// The smallest positive rate is valid, and its reciprocal is infinite: the
    /// webhook's limiter once computed infinity minus infinity, converted the
    /// NaN to an Int and stopped the node. Now it answers 202, then 429.
    @Test(arguments: ["5e-324", "1e-308"])
    func aRateTooSmallToInvertIsAcceptedAndLimits(perSecond: String) async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let created = try await Self.createAutomation(
                client, key: harness.apiKey,
                body: "{\"name\":\"Slow\",\"webhook\":{\"rate_limit\":{\"per_second\":\(perSecond),\"burst\":1}}}")
            #expect(created.status == .created)
            let token = try #require(try created.json["automation"]?["webhook"]?["token"]?.stringValue)
            let first = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{\"a\":1}"))
            _ = try expectAccepted(first)
            #expect(first.header("X-RateLimit-Remaining") == "0")
            let second = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{\"a\":2}"))
            try expectError(second, .tooManyRequests, message: "Rate limit exceeded")
            let retryAfter = try #require(second.header("Retry-After").flatMap { Int($0) })
            #expect(retryAfter >= Int(RateLimit.maxInterval) - 1)
        }
    }

    @Test func createDefaultsAndValidation() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let minimal = try await Self.createAutomation(client, key: harness.apiKey, body: "{\"name\":\"Minimal\"}")
            #expect(minimal.status == .created)
            let automation = try #require(try minimal.json["automation"])
            #expect(automation["definition"] == AutomationDefinition.emptyJSON)
            #expect(automation["webhook"]?["signing"] == false)
            #expect(automation["webhook"]?["signing_secret"] == nil)
            #expect(automation["webhook"]?["rate_limit"] == .object(["per_second": 50, "burst": 100]))

            let invalid: [(String, String)] = [
                ("{}", "name is required"),
                ("{\"name\":\"\"}", "name must be 1 to 200 characters"),
                // A NUL once came back as an empty name (SQLite ends text there).
                ("{\"name\":\"\\u0000x\"}", "name must not contain control characters"),
                ("{\"name\":\"a\\u0085b\"}", "name must not contain control characters"),
                ("{\"name\":5}", "name must be a string"),
                ("[1]", "Request body must be a JSON object"),
                ("{\"name\":", "Malformed JSON at byte 8"),
                ("{\"name\":\"x\",\"enabled\":\"yes\"}", "enabled must be true or false"),
                (
                    "{\"name\":\"x\",\"webhook\":{\"rate_limit\":{\"per_second\":0}}}",
                    "webhook.rate_limit needs per_second in (0, 100000] and burst in [1, 1000000]"
                ),
                (
                    "{\"name\":\"x\",\"definition\":{\"trigger\":{\"type\":\"cron\"}}}",
                    "Invalid definition: definition.trigger.type must be one of: call_completed, webhook"
                ),
                (
                    "{\"name\":\"x\",\"definition\":{\"trigger\":{\"type\":\"webhook\"},\"steps\":[{\"id\":\"a\",\"type\":\"teleport\"}]}}",
                    "Invalid definition: step \"a\": field \"type\" must be one of: condition, create_call, delay, http_request, transform, upsert_contact, upsert_object"
                ),
                // A typo is refused with the nearest valid name, not accepted and ignored.
                (
                    "{\"name\":\"x\",\"definition\":{\"trigger\":{\"type\":\"webhook\"},\"steps\":[{\"id\":\"crm\",\"type\":\"http_request\",\"url\":\"https://example.com\",\"metod\":\"PATCH\"}]}}",
                    "Invalid definition: step \"crm\": unknown field \"metod\" (did you mean \"method\"?)"
                ),
            ]
            for (body, message) in invalid {
                try expectError(try await Self.createAutomation(client, key: harness.apiKey, body: body), .badRequest, message: message)
            }
        }
    }

    @Test func listPagesWithACursor() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var created: [String] = []
            for index in 0..<3 {
                let response = try await Self.createAutomation(client, key: harness.apiKey, body: "{\"name\":\"A\(index)\"}")
                created.append(try #require(try response.json["automation"]?["id"]?.stringValue))
            }
            let first = try await client.execute(uri: "/api/v1/automations?limit=2", method: .get, headers: bearer(harness.apiKey))
            let firstPage = try #require(try first.json["automations"]?.arrayValue)
            #expect(firstPage.compactMap { $0["name"]?.stringValue } == ["A0", "A1"])
            let cursor = try #require(try first.json["meta"]?["next_cursor"]?.stringValue)
            let second = try await client.execute(
                uri: "/api/v1/automations?limit=2&cursor=\(cursor)", method: .get, headers: bearer(harness.apiKey))
            #expect(try second.json["automations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created[2]])
            #expect(try second.json["meta"]?["next_cursor"] == .null)
            try expectError(
                try await client.execute(uri: "/api/v1/automations?limit=101", method: .get, headers: bearer(harness.apiKey)), .badRequest)
            try expectError(
                try await client.execute(uri: "/api/v1/automations?cursor=nope", method: .get, headers: bearer(harness.apiKey)), .badRequest
            )
        }
    }

    @Test func patchRenamesDisablesAndChangesLimitsAndSigning() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(rateLimit: RateLimit(perSecond: 5, burst: 10))
        let uri = "/api/v1/automations/\(automation.id.lowercased)"
        let token = automation.webhook.token
        try await harness.withRouter { client in
            let renamed = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey),
                body: ByteBuffer(string: "{\"name\":\"Renamed\",\"webhook\":{\"rate_limit\":{\"burst\":20}}}"))
            #expect(renamed.status == .ok)
            #expect(try renamed.json["automation"]?["name"] == "Renamed")
            // A partial rate limit keeps the other field.
            #expect(try renamed.json["automation"]?["webhook"]?["rate_limit"] == .object(["per_second": 5, "burst": 20]))

            let disabled = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"enabled\":false}"))
            #expect(try disabled.json["automation"]?["enabled"] == false)
            try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .notFound, message: "Webhook not found")
            _ = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"enabled\":true}"))
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))

            // Signing on: the new secret is shown this once, and unsigned requests stop working.
            let signed = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"webhook\":{\"signing\":true}}"))
            let secret = try #require(try signed.json["automation"]?["webhook"]?["signing_secret"]?.stringValue)
            #expect(secret.hasPrefix("whsec_"))
            try expectError(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .unauthorized, message: "Missing webhook signature")
            // Asking again while already signing does not replace the secret.
            let again = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"webhook\":{\"signing\":true}}"))
            #expect(try again.json["automation"]?["webhook"]?["signing_secret"] == nil)
            // Signing off.
            let unsigned = try await client.execute(
                uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"webhook\":{\"signing\":false}}"))
            #expect(try unsigned.json["automation"]?["webhook"]?["signing"] == false)
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))

            try expectError(
                try await client.execute(
                    uri: uri, method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: "{\"definition\":{\"steps\":[]}}")),
                .badRequest, message: "Invalid definition: definition.trigger must be an object with a \"type\"")
        }
    }

    @Test func deleteAndRotateToken() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        let (doomed, _) = try await harness.automation()
        try await harness.withRouter { client in
            let rotated = try await client.execute(
                uri: "/api/v1/automations/\(automation.id.lowercased)/rotate-token", method: .post, headers: bearer(harness.apiKey))
            #expect(rotated.status == .ok)
            let newToken = try #require(try rotated.json["automation"]?["webhook"]?["token"]?.stringValue)
            #expect(newToken != automation.webhook.token)
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .notFound)
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(newToken), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))

            let deleted = try await client.execute(
                uri: "/api/v1/automations/\(doomed.id.lowercased)", method: .delete, headers: bearer(harness.apiKey))
            #expect(deleted.status == .ok)
            #expect(try deleted.json == .object(["success": true]))
            try expectError(
                try await client.execute(uri: "/api/v1/automations/\(doomed.id.lowercased)", method: .get, headers: bearer(harness.apiKey)),
                .notFound, message: "Automation not found")
            try expectError(
                try await client.execute(
                    uri: "/api/v1/automations/\(doomed.id.lowercased)", method: .delete, headers: bearer(harness.apiKey)), .notFound)
            try expectError(
                try await client.execute(
                    uri: hookPath(doomed.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")), .notFound)
        }
    }

    @Test func rotateSecretKeepsTheOldOneForTheGracePeriod() async throws {
        let harness = try await TestHarness.make()
        let (automation, oldKey) = try await harness.automation(signing: true)
        try await harness.withRouter { client in
            let rotated = try await client.execute(
                uri: "/api/v1/automations/\(automation.id.lowercased)/rotate-secret", method: .post, headers: bearer(harness.apiKey))
            #expect(rotated.status == .ok)
            let secret = try #require(try rotated.json["automation"]?["webhook"]?["signing_secret"]?.stringValue)
            let newKey = try #require(SecretMaterial.signingKey(fromDisplay: secret))
            #expect(newKey != oldKey)
            for key in [try #require(oldKey), newKey] {
                let signature = SignatureVerifier.sign(body: Array("{}".utf8), key: key)
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(["X-Webhook-Signature": signature]),
                        body: ByteBuffer(string: "{}")))
            }
        }
    }

    @Test func anotherTeamsResourcesAreNotFound() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let execution = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let base = "/api/v1/automations/\(automation.id.lowercased)"
            let attempts: [(String, HTTPRequest.Method, String?)] = [
                (base, .get, nil), (base, .patch, "{\"name\":\"stolen\"}"), (base, .delete, nil),
                (base + "/rotate-token", .post, nil), (base + "/rotate-secret", .post, nil),
                ("/api/v1/executions/\(execution.lowercased)", .get, nil),
            ]
            for (uri, method, body) in attempts {
                let response = try await client.execute(
                    uri: uri, method: method, headers: bearer(other.apiKey), body: body.map { ByteBuffer(string: $0) })
                try expectError(response, .notFound)
            }
            let list = try await client.execute(uri: "/api/v1/automations", method: .get, headers: bearer(other.apiKey))
            #expect(try list.json["automations"]?.arrayValue?.isEmpty == true)
            let executions = try await client.execute(
                uri: "/api/v1/executions?automation_id=\(automation.id.lowercased)", method: .get, headers: bearer(other.apiKey))
            #expect(try executions.json["executions"]?.arrayValue?.isEmpty == true)

            // Nothing changed for the owner.
            let mine = try await client.execute(uri: base, method: .get, headers: bearer(harness.apiKey))
            #expect(try mine.json["automation"]?["name"] == .string(automation.name))
            _ = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
        }
    }

    @Test func executionShowsThePayloadAsReceived() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            let body = "{\"z\":1,\"crm_id\":12345678901234567890,\"nested\":{\"list\":[1.50,\"two\",null]},\"a\":\"é\"}"
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "show-1"]),
                    body: ByteBuffer(string: body)))
            let response = try await client.execute(
                uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(response.status == .ok)
            let execution = try #require(try response.json["execution"])
            #expect(execution["id"]?.stringValue == id.lowercased)
            #expect(execution["automation_id"]?.stringValue == automation.id.lowercased)
            #expect(execution["status"] == "pending")
            #expect(execution["idempotency_key"] == "show-1")
            #expect(execution["replay_of"] == .null)
            #expect(execution["steps"] == .array([]))
            // Key order and number literals survive, so the text matches the sent bytes.
            #expect(execution["trigger"]?.serialized == body)
            try expectError(
                try await client.execute(uri: "/api/v1/executions/\(UUID().uuidString)", method: .get, headers: bearer(harness.apiKey)),
                .notFound, message: "Execution not found")
            try expectError(
                try await client.execute(uri: "/api/v1/executions/not-a-uuid", method: .get, headers: bearer(harness.apiKey)), .notFound)
        }
    }

    @Test func executionListFiltersAndPages() async throws {
        let harness = try await TestHarness.make()
        let (first, _) = try await harness.automation(name: "first")
        let (second, _) = try await harness.automation(name: "second")
        try await harness.withRouter { client in
            var firstIDs: [UUID] = []
            for index in 0..<5 {
                firstIDs.append(
                    try expectAccepted(
                        try await client.execute(
                            uri: hookPath(first.webhook.token), method: .post, headers: jsonHeaders(),
                            body: ByteBuffer(string: "{\"n\":\(index)}"))))
            }
            let middle = Timestamp.now()
            try await Task.sleep(for: .milliseconds(5))
            let secondID = try expectAccepted(
                try await client.execute(
                    uri: hookPath(second.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))

            func ids(_ query: String) async throws -> (ids: [String], next: JSONValue?) {
                let response = try await client.execute(uri: "/api/v1/executions\(query)", method: .get, headers: bearer(harness.apiKey))
                #expect(response.status == .ok, "\(query): \(response.text)")
                let json = try response.json
                return (json["executions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [], json["meta"]?["next_cursor"])
            }
            // Newest first.
            let all = try await ids("")
            #expect(all.ids == ([secondID] + firstIDs.reversed()).map(\.lowercased))
            #expect(all.next == .null)
            #expect(try await ids("?automation_id=\(second.id.lowercased)").ids == [secondID.lowercased])
            #expect(try await ids("?status=pending").ids.count == 6)
            #expect(try await ids("?status=completed").ids.isEmpty)
            #expect(try await ids("?created_after=\(middle.rfc3339)").ids == [secondID.lowercased])
            #expect(try await ids("?created_before=\(middle.rfc3339)").ids.count == 5)

            // Paging: three pages of two, no row skipped or repeated.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await ids("?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += page.ids
                cursor = page.next?.stringValue
            } while cursor != nil
            #expect(seen == all.ids)

            for bad in ["?status=done", "?limit=0", "?limit=abc", "?automation_id=1", "?created_after=yesterday", "?cursor=x"] {
                try expectError(
                    try await client.execute(uri: "/api/v1/executions\(bad)", method: .get, headers: bearer(harness.apiKey)), .badRequest)
            }
        }
    }
}
