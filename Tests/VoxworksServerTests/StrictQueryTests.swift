import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// Management requests name what they do not understand: an unknown query
/// parameter or body field is a `400` with the nearest valid name, and so
/// is a parameter given twice; the
/// webhook endpoint still takes any query. And the two list filters that
/// no index answers (idempotency key, a payload field), on both stores.
@Suite struct StrictQueryTests {
    @Test(arguments: StoreKind.available)
    func anUnknownQueryParameterIsRefusedWithTheNearestName(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            let key = harness.apiKey
            let typo = try await client.execute(uri: "/api/v1/executions?idempotency_kye=form-1001", method: .get, headers: bearer(key))
            try expectError(typo, .badRequest, message: "unknown query parameter \"idempotency_kye\" (did you mean \"idempotency_key\"?)")
            let far = try await client.execute(uri: "/api/v1/executions?colour=red", method: .get, headers: bearer(key))
            try expectError(far, .badRequest, message: "unknown query parameter \"colour\"")
            let limit = try await client.execute(uri: "/api/v1/automations?limt=5", method: .get, headers: bearer(key))
            try expectError(limit, .badRequest, message: "unknown query parameter \"limt\" (did you mean \"limit\"?)")
            // A route without parameters takes none.
            let show = try await client.execute(
                uri: "/api/v1/automations/\(automation.id.lowercased)?expand=1", method: .get, headers: bearer(key))
            try expectError(show, .badRequest, message: "unknown query parameter \"expand\" (this endpoint takes none)")
            // A parameter given twice is refused, whatever the values (the
            // first of two once answered, and the second was never read).
            for query in ["limit=&limit=%C3%A2", "limit=5&limit=5", "cursor=a&limit=5&cursor=b", "payload.a=1&payload.a=2"] {
                let repeated = try await client.execute(uri: "/api/v1/executions?\(query)", method: .get, headers: bearer(key))
                let name = query.hasPrefix("payload") ? "payload.a" : query.hasPrefix("cursor") ? "cursor" : "limit"
                try expectError(repeated, .badRequest, message: "query parameter \"\(name)\" is given more than once")
            }
            // An empty page size is not a page size: every list refuses it
            // (an empty filter, by contrast, is the same as none).
            for list in ["automations", "executions", "requests", "contacts", "calls"] {
                let empty = try await client.execute(uri: "/api/v1/\(list)?limit=&cursor=", method: .get, headers: bearer(key))
                try expectError(empty, .badRequest, message: "limit must be an integer from 1 to 100")
            }
            let twiceUnknown = try await client.execute(uri: "/api/v1/requests?limt=1&limt=2", method: .get, headers: bearer(key))
            try expectError(twiceUnknown, .badRequest, message: "unknown query parameter \"limt\" (did you mean \"limit\"?)")
            // Known parameters still work, and the check runs after the key's.
            let known = try await client.execute(
                uri: "/api/v1/executions?limit=5&status=&idempotency_key=x", method: .get, headers: bearer(key))
            #expect(known.status == .ok, "\(known.text)")
            let anonymous = try await client.execute(uri: "/api/v1/executions?colour=red", method: .get, headers: jsonHeaders())
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func theWebhookEndpointTakesAnyQuery() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            let response = try await client.execute(
                uri: hookPath(automation.webhook.token) + "?provider_param=1&colour=red", method: .post, headers: jsonHeaders(),
                body: ByteBuffer(json: #"{"a":1}"#))
            _ = try expectAccepted(response)
            let health = try await client.execute(uri: "/api/v1/health?probe=1", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func anUnknownBodyFieldIsRefusedWithTheNearestName() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            let key = harness.apiKey
            func send(_ uri: String, _ method: HTTPRequest.Method, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: uri, method: method, headers: bearer(key), body: ByteBuffer(json: body))
            }
            try expectError(
                try await send("/api/v1/automations", .post, #"{"name":"x","webhok":{"signing":true}}"#), .badRequest,
                message: "unknown field \"webhok\" (did you mean \"webhook\"?)")
            try expectError(
                try await send("/api/v1/automations", .post, #"{"name":"x","webhook":{"signin":true}}"#), .badRequest,
                message: "unknown field \"webhook.signin\" (did you mean \"webhook.signing\"?)")
            try expectError(
                try await send(
                    "/api/v1/automations/\(automation.id.lowercased)", .patch, #"{"webhook":{"rate_limit":{"per_sec":5}}}"#),
                .badRequest, message: "unknown field \"webhook.rate_limit.per_sec\" (did you mean \"webhook.rate_limit.per_second\"?)")
            try expectError(
                try await send("/api/v1/automations/\(automation.id.lowercased)", .patch, #"{"enabeld":false}"#), .badRequest,
                message: "unknown field \"enabeld\" (did you mean \"enabled\"?)")
            // Nothing was changed by the refused patch.
            let unchanged = try #require(try await harness.store.automation(id: automation.id, teamID: harness.teamID))
            #expect(unchanged.enabled)
            let created = try await send("/api/v1/automations", .post, #"{"name":"x","webhook":{"signing":false}}"#)
            #expect(created.status == .created, "\(created.text)")
        }
    }

    @Test(arguments: StoreKind.available)
    func executionsFilterByIdempotencyKeyAndPayloadField(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            let key = harness.apiKey
            var ids: [String: UUID] = [:]
            let leads: [(String, String)] = [
                ("form-1", #"{"lead":{"email":"ada@example.com","score":7,"vip":true}}"#),
                ("form-2", #"{"lead":{"email":"grace@example.com","score":8}}"#),
                ("form-3", #"{"lead":{"email":"ada@example.com","score":9}}"#),
                ("form-4", #"{"lead":"ada@example.com"}"#),
            ]
            for (idempotencyKey, body) in leads {
                let response = try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": idempotencyKey]),
                    body: ByteBuffer(json: body))
                ids[idempotencyKey] = try expectAccepted(response)
            }
            func listed(_ query: String) async throws -> [UUID] {
                let response = try await client.execute(uri: "/api/v1/executions?\(query)", method: .get, headers: bearer(key))
                #expect(response.status == .ok, "\(query): \(response.text)")
                let executions = try response.json["executions"]?.arrayValue ?? []
                return executions.compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)) }
            }
            #expect(try await listed("idempotency_key=form-2") == [ids["form-2"]])
            #expect(try await listed("idempotency_key=form-9").isEmpty)
            #expect(try await listed("payload.lead.email=ada%40example.com") == [ids["form-3"], ids["form-1"]])
            #expect(try await listed("payload.lead.email=ada@example.com&idempotency_key=form-1") == [ids["form-1"]])
            #expect(try await listed("payload.lead.score=8") == [ids["form-2"]])
            #expect(try await listed("payload.lead.vip=true") == [ids["form-1"]])
            #expect(try await listed("payload.lead.missing=1").isEmpty)
            // Pages: the cursor continues the scan below the last match.
            #expect(try await listed("payload.lead.email=ada@example.com&limit=1") == [ids["form-3"]])
            let next = try #require(ids["form-3"]).lowercased
            #expect(try await listed("payload.lead.email=ada@example.com&limit=1&cursor=\(next)") == [ids["form-1"]])
            // A listing shows no payloads, filtered or not.
            let response = try await client.execute(
                uri: "/api/v1/executions?payload.lead.email=ada@example.com", method: .get, headers: bearer(key))
            #expect(try response.json["executions"]?.arrayValue?.first?["trigger"] == nil)
            try expectError(
                try await client.execute(uri: "/api/v1/executions?payload.=1", method: .get, headers: bearer(key)), .badRequest)
            try expectError(
                try await client.execute(uri: "/api/v1/executions?payload.a=1&payload.b=2", method: .get, headers: bearer(key)),
                .badRequest, message: "at most one payload.<path> filter may be given")
        }
    }
}
