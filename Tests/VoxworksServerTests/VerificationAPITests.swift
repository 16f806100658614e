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

/// `webhook.verification` and `webhook.accept` through the management API,
/// and the hook path with real schemes: created, shown without secrets,
/// rotated with two active credentials, turned off, refused with the
/// nearest name; GET handshakes against 405s. On both stores.
@Suite struct VerificationAPITests {
    static func create(_ client: any TestClientProtocol, _ harness: TestHarness, _ webhook: JSONObject) async throws -> TestResponse {
        let body = JSONValue.object(["name": "Sender", "webhook": .object(webhook)]).serialized
        return try await client.execute(
            uri: "/api/v1/automations", method: .post, headers: bearer(harness.apiKey), body: ByteBuffer(string: body))
    }

    static func patch(_ client: any TestClientProtocol, _ harness: TestHarness, _ id: String, _ webhook: JSONObject) async throws
        -> TestResponse
    {
        let body = JSONValue.object(["webhook": .object(webhook)]).serialized
        return try await client.execute(
            uri: "/api/v1/automations/\(id)", method: .patch, headers: bearer(harness.apiKey), body: ByteBuffer(string: body))
    }

    static func route(_ harness: TestHarness, _ response: TestResponse) async throws -> WebhookRoute? {
        let token = try #require(try response.json["automation"]?["webhook"]?["token"]?.stringValue)
        return try await harness.store.route(tokenHash: SecretMaterial.hash(token), now: .now())
    }

    static func stripeHeader(_ body: String, secret: String, timestamp: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test(arguments: StoreKind.available)
    func aSchemeIsShownWithItsSettingsAndNeverItsSecret(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let secret = "whsec_" + SecretMaterial.base64URL(SecretMaterial.randomBytes(24))
        try await harness.withRouter { client in
            let created = try await Self.create(
                client, harness, ["verification": .object(["scheme": "stripe", "secret": .string(secret), "tolerance_seconds": 600])])
            #expect(created.status == .created, "\(created.text)")
            let webhook = try #require(try created.json["automation"]?["webhook"])
            #expect(webhook["verification"] == .object(["scheme": "stripe", "tolerance_seconds": 600]))
            #expect(webhook["signing"] == .bool(true))
            #expect(webhook["accept"] == .array(["json"]))
            #expect(webhook["signing_secret"] == nil)
            #expect(!created.text.contains(secret))
            let id = try #require(try created.json["automation"]?["id"]?.stringValue)
            let shown = try await client.execute(uri: "/api/v1/automations/\(id)", method: .get, headers: bearer(harness.apiKey))
            #expect(try shown.json["automation"]?["webhook"]?["verification"] == .object(["scheme": "stripe", "tolerance_seconds": 600]))
            #expect(!shown.text.contains(secret))
            let listed = try await client.execute(uri: "/api/v1/automations", method: .get, headers: bearer(harness.apiKey))
            #expect(!listed.text.contains(secret))
            // Stored sealed, and unsealed into the route for the hook path.
            let route = try #require(try await Self.route(harness, created))
            #expect(route.verification?.scheme.name == .stripe)
            #expect(route.verification?.credentials == [SchemeCredential(secret: secret)])
            // The secret's bytes are not in the database file in the clear.
            if let path = harness.sqlite?.path {
                let file =
                    try Data(contentsOf: URL(fileURLWithPath: path))
                    + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
                #expect(file.range(of: Data(secret.utf8)) == nil)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func mistakesAreRefusedNamingTheField(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let typo = try await Self.create(client, harness, ["verification": .object(["scheme": "strpe", "secret": "whsec_x"])])
            let typoMessage = try expectError(typo, .badRequest)
            #expect(typoMessage.contains("did you mean \"stripe\""), "\(typoMessage)")
            let field = try await Self.create(client, harness, ["verification": .object(["scheme": "github", "secrt": "x"])])
            #expect(try expectError(field, .badRequest).contains("did you mean \"secret\""))
            let missing = try await Self.create(client, harness, ["verification": .object(["scheme": "github"])])
            #expect(try expectError(missing, .badRequest).hasPrefix("webhook.verification"))
            let both = try await Self.create(
                client, harness, ["signing": true, "verification": .object(["scheme": "github", "secret": "x"])])
            _ = try expectError(both, .badRequest, message: "webhook.signing and webhook.verification cannot both be set")
            let accept = try await Self.create(client, harness, ["accept": .array(["json", "xml"])])
            #expect(try expectError(accept, .badRequest).hasPrefix("webhook.accept"))
            let tolerance = try await Self.create(
                client, harness, ["verification": .object(["scheme": "stripe", "secret": "whsec_a", "tolerance_seconds": 0])])
            #expect(try expectError(tolerance, .badRequest).contains("tolerance_seconds"))
            // A closed set is checked whatever the scheme (x ignores encoding, but "AAA" is a mistake).
            let encoding = try await Self.create(
                client, harness, ["verification": .object(["scheme": "x", "secret": "s", "encoding": "AAA"])])
            _ = try expectError(encoding, .badRequest, message: "webhook.verification.encoding must be hex or base64")
            let algorithm = try await Self.create(
                client, harness, ["verification": .object(["scheme": "hmac", "secret": "s", "header": "X-Sig", "algorithm": "md5"])])
            _ = try expectError(algorithm, .badRequest, message: "webhook.verification.algorithm must be sha1, sha256 or sha512")
            // Nothing was created by a refused request.
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func rotationKeepsTwoAndNullTurnsItOff(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await Self.create(client, harness, ["verification": .object(["scheme": "github", "secret": "first-Qx7"])])
            let id = try #require(try created.json["automation"]?["id"]?.stringValue)
            let second = try await Self.patch(client, harness, id, ["verification": .object(["scheme": "github", "secret": "second-Qx7"])])
            #expect(second.status == .ok, "\(second.text)")
            #expect(!second.text.contains("second-Qx7"))
            var route = try #require(try await Self.route(harness, created))
            #expect(route.verification?.credentials.map(\.secret) == ["second-Qx7", "first-Qx7"])
            _ = try await Self.patch(client, harness, id, ["verification": .object(["scheme": "github", "secret": "third-Qx7"])])
            route = try #require(try await Self.route(harness, created))
            #expect(route.verification?.credentials.map(\.secret) == ["third-Qx7", "second-Qx7"])
            // Settings only: the credentials stay.
            _ = try await Self.patch(client, harness, id, ["verification": .object(["scheme": "github"])])
            route = try #require(try await Self.route(harness, created))
            #expect(route.verification?.credentials.map(\.secret) == ["third-Qx7", "second-Qx7"])
            // Another scheme ends the old credentials at once.
            _ = try await Self.patch(client, harness, id, ["verification": .object(["scheme": "gitlab", "secret": "token"])])
            route = try #require(try await Self.route(harness, created))
            #expect(route.verification?.scheme.name == .gitlab)
            #expect(route.verification?.credentials.map(\.secret) == ["token"])
            // Off.
            let off = try await Self.patch(client, harness, id, ["verification": .null])
            #expect(try off.json["automation"]?["webhook"]?["verification"] == .null)
            #expect(try off.json["automation"]?["webhook"]?["signing"] == .bool(false))
            route = try #require(try await Self.route(harness, created))
            #expect(route.verification == nil)
            // `signing: true` is still the voxworks shorthand, shown once.
            let on = try await Self.patch(client, harness, id, ["signing": true])
            #expect(try on.json["automation"]?["webhook"]?["verification"] == .object(["scheme": "voxworks"]))
            #expect(try on.json["automation"]?["webhook"]?["signing_secret"]?.stringValue?.hasPrefix("whsec_") == true)
        }
    }

    @Test(arguments: StoreKind.available)
    func rotateSecretIsForTheServicesOwnSecretsOnly(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await Self.create(
                client, harness, ["verification": .object(["scheme": "github", "secret": "provider-made"])])
            let id = try #require(try created.json["automation"]?["id"]?.stringValue)
            let rotate = try await client.execute(
                uri: "/api/v1/automations/\(id)/rotate-secret", method: .post, headers: bearer(harness.apiKey))
            #expect(try expectError(rotate, .badRequest).contains("github"))
            // A webhook signed before schemes existed reads as voxworks.
            let (legacy, _) = try await harness.automation(signing: true)
            let shown = try await client.execute(
                uri: "/api/v1/automations/\(legacy.id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try shown.json["automation"]?["webhook"]?["verification"] == .object(["scheme": "voxworks"]))
        }
    }

    @Test(arguments: StoreKind.available)
    func acceptIsSetAndDefaultsToTheSchemes(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await Self.create(client, harness, ["accept": .array(["json", "form"])])
            #expect(try created.json["automation"]?["webhook"]?["accept"] == .array(["json", "form"]))
            let id = try #require(try created.json["automation"]?["id"]?.stringValue)
            let twilio = try await Self.patch(
                client, harness, id,
                ["accept": .null, "verification": .object(["scheme": "twilio", "secret": "0123456789abcdef0123456789abcdef"])])
            #expect(twilio.status == .ok, "\(twilio.text)")
            #expect(try twilio.json["automation"]?["webhook"]?["accept"] == .array(["json", "form"]))
            let plain = try await Self.create(client, harness, [:])
            #expect(try plain.json["automation"]?["webhook"]?["accept"] == .array(["json"]))
            #expect(try plain.json["automation"]?["webhook"]?["verification"] == .null)
        }
    }

    @Test(arguments: StoreKind.available)
    func stripeRequestsThroughTheEndpoint(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let secret = "whsec_test_" + SecretMaterial.hex(SecretMaterial.randomBytes(8))
        try await harness.withRouter { client in
            let created = try await Self.create(
                client, harness, ["verification": .object(["scheme": "stripe", "secret": .string(secret)])])
            let token = try #require(try created.json["automation"]?["webhook"]?["token"]?.stringValue)
            let body = #"{"id":"evt_1","object":"event","type":"invoice.paid"}"#
            let now = Int(harness.clock.now.seconds)
            func post(_ header: String?, body: String = body) async throws -> TestResponse {
                var headers = jsonHeaders()
                if let header, let name = HTTPField.Name("Stripe-Signature") { headers[name] = header }
                return try await client.execute(uri: hookPath(token), method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            let first = try await post(Self.stripeHeader(body, secret: secret, timestamp: now))
            #expect(first.status == .accepted, "\(first.text)")
            // The event's id is the key: a redelivery is the same execution.
            let again = try await post(Self.stripeHeader(body, secret: secret, timestamp: now))
            #expect(again.status == .accepted)
            #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(try again.json["execution_id"] == (try first.json["execution_id"]))
            _ = try expectError(try await post(nil), .unauthorized, message: "Missing webhook signature")
            _ = try expectError(
                try await post(Self.stripeHeader(body, secret: "whsec_wrong", timestamp: now)), .unauthorized,
                message: "Invalid webhook signature")
            _ = try expectError(
                try await post(Self.stripeHeader(body, secret: secret, timestamp: now - 3_600)), .unauthorized,
                message: "Webhook timestamp outside the allowed window")
            // GET is not a stripe handshake: 405 with Allow: POST, as for an unknown token.
            let get = try await client.execute(uri: hookPath(token), method: .get)
            _ = try expectError(get, .methodNotAllowed, message: "Method not allowed")
            #expect(get.headers[.allow] == "POST")
            let unknown = try await client.execute(uri: hookPath("no-such-token"), method: .get)
            _ = try expectError(unknown, .methodNotAllowed)
            #expect(unknown.headers[.allow] == "POST")
            #expect(try await harness.executionCount() == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func metasGETChallengeIsAnswered(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await Self.create(
                client, harness, ["verification": .object(["scheme": "meta", "secret": "app-secret", "verify_token": "my-verify-token"])])
            #expect(created.status == .created, "\(created.text)")
            #expect(!created.text.contains("my-verify-token"))
            let token = try #require(try created.json["automation"]?["webhook"]?["token"]?.stringValue)
            let good = try await client.execute(
                uri: hookPath(token) + "?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444", method: .get)
            #expect(good.status == .ok)
            #expect(good.text == "1158201444")
            let wrong = try await client.execute(
                uri: hookPath(token) + "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", method: .get)
            #expect(wrong.status == .forbidden)
            #expect(try await harness.executionCount() == 0)
            // Both challenges are in the request log, as GETs (written in the background: a bounded wait).
            var logged: [RequestRecord] = []
            for _ in 0..<100 {
                logged = try await harness.store.requests(
                    teamID: harness.teamID, query: RequestLogQuery(limit: 10), view: RequestLogTests.everything)
                if logged.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(logged.map(\.method) == ["GET", "GET"])
            #expect(Set(logged.map(\.status)) == [200, 403])
        }
    }
}
