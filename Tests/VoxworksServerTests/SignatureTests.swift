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

/// Every accepted signature form, and every way of getting it wrong.
@Suite struct SignatureTests {
    static let body = "{\"contact_phone\":\"0429069971\",\"source\":\"crm\"}"

    /// HMAC-SHA256 computed here with swift-crypto, independently of the server's verifier.
    static func mac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func post(_ client: any TestClientProtocol, token: String, headers: [String: String], body: String = body) async throws
        -> TestResponse
    {
        try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(headers), body: ByteBuffer(string: body))
    }

    @Test func everyXWebhookSignatureFormIsAccepted() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let mac = Self.mac(try #require(key), Self.body)
        let forms = [
            Self.hex(mac),
            Self.hex(mac).uppercased(),
            "sha256=" + Self.hex(mac),
            Data(mac).base64EncodedString(),
        ]
        try await harness.withRouter { client in
            for form in forms {
                _ = try expectAccepted(try await Self.post(client, token: automation.webhook.token, headers: ["X-Webhook-Signature": form]))
            }
        }
    }

    @Test func missingAndWrongSignaturesAre401() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let token = automation.webhook.token
        let good = Self.hex(Self.mac(try #require(key), Self.body))
        try await harness.withRouter { client in
            try expectError(try await Self.post(client, token: token, headers: [:]), .unauthorized, message: "Missing webhook signature")
            for wrong in [
                String(repeating: "0", count: 64), "sha256=zz", "not a signature",
                Self.hex(Self.mac(SecretMaterial.randomBytes(32), Self.body)),
            ] {
                try expectError(
                    try await Self.post(client, token: token, headers: ["X-Webhook-Signature": wrong]), .unauthorized,
                    message: "Invalid webhook signature")
            }
            // A good signature over other bytes (one space added) is wrong.
            try expectError(
                try await Self.post(client, token: token, headers: ["X-Webhook-Signature": good], body: Self.body + " "),
                .unauthorized, message: "Invalid webhook signature")
        }
        #expect(try await harness.executionCount() == 0)
    }

    @Test func unsignedWebhooksIgnoreSignatureHeaders() async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            _ = try expectAccepted(try await Self.post(client, token: token, headers: ["X-Webhook-Signature": "garbage"]))
        }
    }

    @Test func standardWebhooksSignaturesAreAcceptedAndTheIDIsTheIdempotencyKey() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let key32 = try #require(key)
        let now = Int(Date().timeIntervalSince1970)
        let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        let mac = Data(Self.mac(key32, "\(id).\(now).\(Self.body)")).base64EncodedString()
        let headers = [
            "webhook-id": id, "webhook-timestamp": String(now),
            "webhook-signature": "v1,\(Data(SecretMaterial.randomBytes(32)).base64EncodedString()) v1,\(mac)",
        ]
        try await harness.withRouter { client in
            let first = try expectAccepted(try await Self.post(client, token: automation.webhook.token, headers: headers))
            let retry = try await Self.post(client, token: automation.webhook.token, headers: headers)
            #expect(try expectAccepted(retry) == first)
            #expect(retry.header("Idempotent-Replayed") == "true")
        }
        #expect(
            try await harness.store.execution(
                id: try #require(try await harness.store.executions(teamID: harness.teamID, query: .init()).first?.id),
                teamID: harness.teamID)?.idempotencyKey == id)
    }

    @Test func standardWebhooksRejectsStaleTimestampsAndTampering() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let key32 = try #require(key)
        let stale = Int(Date().timeIntervalSince1970) - 360
        let fresh = Int(Date().timeIntervalSince1970)
        @Sendable func signature(_ timestamp: Int, _ body: String) -> String {
            "v1," + Data(Self.mac(key32, "msg_1.\(timestamp).\(body)")).base64EncodedString()
        }
        try await harness.withRouter { client in
            try expectError(
                try await Self.post(
                    client, token: automation.webhook.token,
                    headers: [
                        "webhook-id": "msg_1", "webhook-timestamp": String(stale), "webhook-signature": signature(stale, Self.body),
                    ]), .unauthorized, message: "Webhook timestamp outside the allowed window")
            try expectError(
                try await Self.post(
                    client, token: automation.webhook.token,
                    headers: [
                        "webhook-id": "msg_1", "webhook-timestamp": String(fresh), "webhook-signature": signature(fresh, "{\"other\":1}"),
                    ]), .unauthorized, message: "Invalid webhook signature")
        }
    }

    @Test func rotationAcceptsBothSecretsUntilTheGracePeriodEnds() async throws {
        let harness = try await TestHarness.make()
        let (automation, oldKey) = try await harness.automation(signing: true)
        let token = automation.webhook.token
        let newKey = SecretMaterial.randomBytes(32)
        let now = Timestamp.now()
        _ = try await harness.store.rotateSigningSecret(
            automationID: automation.id, teamID: harness.teamID, newKey: newKey, graceUntil: now.adding(seconds: 86_400), now: now)
        let oldSignature = Self.hex(Self.mac(try #require(oldKey), Self.body))
        let newSignature = Self.hex(Self.mac(newKey, Self.body))
        try await harness.withRouter { client in
            _ = try expectAccepted(try await Self.post(client, token: token, headers: ["X-Webhook-Signature": oldSignature]))
            _ = try expectAccepted(try await Self.post(client, token: token, headers: ["X-Webhook-Signature": newSignature]))
        }
        // A day and a bit later the old secret has expired.
        harness.clock.advance(seconds: 86_400 + 60)
        try await harness.withRouter { client in
            try expectError(
                try await Self.post(client, token: token, headers: ["X-Webhook-Signature": oldSignature]), .unauthorized,
                message: "Invalid webhook signature")
            _ = try expectAccepted(try await Self.post(client, token: token, headers: ["X-Webhook-Signature": newSignature]))
        }
    }

    @Test func aSecondRotationEndsTheOldestSecretAtOnce() async throws {
        let harness = try await TestHarness.make()
        let (automation, firstKey) = try await harness.automation(signing: true)
        let second = SecretMaterial.randomBytes(32)
        let third = SecretMaterial.randomBytes(32)
        let now = Timestamp.now()
        _ = try await harness.store.rotateSigningSecret(
            automationID: automation.id, teamID: harness.teamID, newKey: second, graceUntil: now.adding(seconds: 3600), now: now)
        _ = try await harness.store.rotateSigningSecret(
            automationID: automation.id, teamID: harness.teamID, newKey: third, graceUntil: now.adding(seconds: 3600),
            now: now.adding(seconds: 1))
        let route = try #require(
            try await harness.store.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: now.adding(seconds: 2)))
        #expect(route.signingKeys.count == 2)
        #expect(Set(route.signingKeys) == Set([second, third]))
        #expect(!route.signingKeys.contains(try #require(firstKey)))
    }

    // MARK: Replays (issue: 2 genuine requests became 7 executions)

    /// A captured Standard Webhooks request sent again with a new unsigned
    /// key, or with a different one beside it, is the same execution.
    @Test func aSignedWebhookIDCannotBeOverriddenByAnUnsignedKey() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let key32 = try #require(key)
        let now = Int(Date().timeIntervalSince1970)
        let id = "msg_replay_1"
        let signature = "v1," + Data(Self.mac(key32, "\(id).\(now).\(Self.body)")).base64EncodedString()
        let signed = ["webhook-id": id, "webhook-timestamp": String(now), "webhook-signature": signature]
        try await harness.withRouter { client in
            let token = automation.webhook.token
            let genuine = try expectAccepted(try await Self.post(client, token: token, headers: signed))
            var replays = 0
            for extra in [
                ["X-Idempotency-Key": "attacker-1"], ["Idempotency-Key": "attacker-2"],
                ["X-Idempotency-Key": "attacker-3", "Idempotency-Key": "x"],
            ] {
                let replay = try await Self.post(client, token: token, headers: signed.merging(extra) { a, _ in a })
                #expect(try expectAccepted(replay) == genuine)
                #expect(replay.header("Idempotent-Replayed") == "true")
                replays += 1
            }
            #expect(replays == 3)
        }
        let executions = try await harness.store.executions(teamID: harness.teamID, query: .init())
        #expect(executions.count == 1)
        #expect(executions.first?.idempotencyKey == id)
    }

    /// A request that carries an unsigned key first and the signed id
    /// second gets the signed id's execution, not a new one.
    @Test func anUnsignedKeySentFirstStillLosesToTheSignedID() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let key32 = try #require(key)
        let now = Int(Date().timeIntervalSince1970)
        @Sendable func headers(_ id: String, unsigned: String?) -> [String: String] {
            var fields = [
                "webhook-id": id, "webhook-timestamp": String(now),
                "webhook-signature": "v1," + Data(Self.mac(key32, "\(id).\(now).\(Self.body)")).base64EncodedString(),
            ]
            fields["X-Idempotency-Key"] = unsigned
            return fields
        }
        try await harness.withRouter { client in
            let token = automation.webhook.token
            let withUnsigned = try expectAccepted(try await Self.post(client, token: token, headers: headers("msg_a", unsigned: "shared")))
            let plain = try await Self.post(client, token: token, headers: headers("msg_a", unsigned: nil))
            #expect(try expectAccepted(plain) == withUnsigned)
            #expect(plain.header("Idempotent-Replayed") == "true")
            // Another signed id with the same unsigned key is another delivery.
            let other = try expectAccepted(try await Self.post(client, token: token, headers: headers("msg_b", unsigned: "shared")))
            #expect(other != withUnsigned)
        }
    }

    /// `X-Webhook-Signature` over `timestamp.body` with `X-Webhook-Timestamp`:
    /// replays under new keys are the same execution; a stale or altered
    /// timestamp is refused; a body-only MAC is still accepted alone.
    @Test func aTimestampedSignatureMakesReplaysTheSameExecution() async throws {
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let key32 = try #require(key)
        let now = Int(harness.clock.now.seconds)
        let signature = Self.hex(Self.mac(key32, "\(now).\(Self.body)"))
        #expect(signature == SignatureVerifier.sign(timestamp: now, body: Array(Self.body.utf8), key: key32))
        let signed = ["X-Webhook-Signature": signature, "X-Webhook-Timestamp": String(now)]
        try await harness.withRouter { client in
            let token = automation.webhook.token
            let genuine = try expectAccepted(try await Self.post(client, token: token, headers: signed))
            for extra in [[:], ["X-Idempotency-Key": "new-1"], ["Idempotency-Key": "new-2"]] {
                let replay = try await Self.post(client, token: token, headers: signed.merging(extra) { a, _ in a })
                #expect(try expectAccepted(replay) == genuine)
                #expect(replay.header("Idempotent-Replayed") == "true")
            }
            // The timestamp cannot be stripped (the MAC is not over the body alone) or changed.
            try expectError(
                try await Self.post(client, token: token, headers: ["X-Webhook-Signature": signature]), .unauthorized,
                message: "Invalid webhook signature")
            try expectError(
                try await Self.post(
                    client, token: token, headers: ["X-Webhook-Signature": signature, "X-Webhook-Timestamp": String(now + 1)]),
                .unauthorized, message: "Invalid webhook signature")
            // A fresh delivery of the same body (a new timestamp) is a new execution.
            let later = [
                "X-Webhook-Signature": Self.hex(Self.mac(key32, "\(now + 1).\(Self.body)")), "X-Webhook-Timestamp": String(now + 1),
            ]
            #expect(try expectAccepted(try await Self.post(client, token: token, headers: later)) != genuine)
        }
        // Six minutes later the captured request is refused outright.
        harness.clock.advance(seconds: 360)
        try await harness.withRouter { client in
            try expectError(
                try await Self.post(client, token: automation.webhook.token, headers: signed), .unauthorized,
                message: "Webhook timestamp outside the allowed window")
        }
        #expect(try await harness.store.executions(teamID: harness.teamID, query: .init()).count == 2)
    }
}
