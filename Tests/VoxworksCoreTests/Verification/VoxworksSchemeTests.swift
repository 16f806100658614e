import Crypto
import Foundation
import Testing

@testable import VoxworksCore

/// `voxworks` wraps `SignatureVerifier` unchanged: the same forms pass and
/// the same idempotency key comes out as before schemes existed.
@Suite("VoxworksScheme")
struct VoxworksSchemeTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let body = #"{"event":"call.completed","id":42}"#
    let now: Double = 1_700_000_000

    var key: [UInt8] { SecretMaterial.signingKey(fromDisplay: secret) ?? [] }

    @Test("Known answer: the Standard Webhooks vector (standard-webhooks libraries/go/webhook_test.go) passes the voxworks scheme")
    func standardKnownAnswer() throws {
        // Source: github.com/standard-webhooks/standard-webhooks, libraries/go/webhook_test.go (TestWebhookSign).
        let scheme = try SchemeFixture.scheme(.voxworks)
        let request = SchemeFixture.request(
            headers: [
                ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"),
                ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            ], body: #"{"test": 2432232314}"#)
        let outcome = scheme.verify(request, credentials: [SchemeFixture.secret(secret)], nowSeconds: 1_614_265_330)
        #expect(outcome == .verified(signedKey: "msg_p5jXN8AQM9LWM0D4loKWxJek"))
    }

    /// The key is decoded once per credential (not per delivery), and it
    /// follows the secret however the credential is made: the initializer,
    /// the store's JSON, or a changed `secret`. It is never written out.
    @Test("A credential's signing key follows its secret, and is not encoded")
    func signingKeyFollowsTheSecret() throws {
        let made = SchemeCredential(secret: secret)
        #expect(made.signingKey == key)
        #expect(key.count == 24)
        let json = try JSONEncoder().encode(made)
        #expect(String(decoding: json, as: UTF8.self) == #"{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#)
        let decoded = try JSONDecoder().decode(SchemeCredential.self, from: json)
        #expect(decoded.signingKey == key)
        #expect(decoded == made)
        var changed = decoded
        changed.secret = "whsec_" + Data([1, 2, 3]).base64EncodedString()
        #expect(changed.signingKey == [1, 2, 3])
        changed.secret = "not a whsec_ secret"
        #expect(changed.signingKey == nil)
        #expect(SchemeCredential(publicKey: "ab").signingKey == nil)
        // A changed secret verifies with its own key, not the first one's.
        let scheme = try SchemeFixture.scheme(.voxworks)
        let signed = SignatureVerifier.sign(body: Array(body.utf8), key: [1, 2, 3])
        let request = SchemeFixture.request(headers: [("X-Webhook-Signature", signed)], body: body)
        changed.secret = "whsec_" + Data([1, 2, 3]).base64EncodedString()
        #expect(scheme.verify(request, credentials: [changed], nowSeconds: now) == .verified(signedKey: nil))
        #expect(scheme.verify(request, credentials: [made], nowSeconds: now) == .invalid)
    }

    /// Names are kept lower-case; a name asked for in any case finds its
    /// header (a configured name may hold capitals), and a miss is nil.
    @Test("A header is found by its name in any case")
    func headerInAnyCase() {
        let request = InboundRequest(
            method: .post, url: "https://example.test/h", headers: [("X-Custom-Sig", "a"), ("x-other", "b")], body: [])
        #expect(request.header("x-custom-sig") == "a")
        #expect(request.header("X-Custom-Sig") == "a")
        #expect(request.header("X-CUSTOM-SIG") == "a")
        #expect(request.header("X-Other") == "b")
        #expect(request.header("x-missing") == nil)
        #expect(request.header("X-Missing") == nil)
        #expect(request.header("x-custom-sİg") == nil)
    }

    @Test("Every form gives the outcome and key SignatureVerifier gives today")
    func sameAsSignatureVerifier() throws {
        let scheme = try SchemeFixture.scheme(.voxworks)
        let bodyBytes = Array(body.utf8)
        let hexBody = SignatureVerifier.sign(body: bodyBytes, key: key)
        let timestamped = SignatureVerifier.sign(timestamp: Int(now), body: bodyBytes, key: key)
        let standard = SignatureVerifier.signStandard(id: "msg_1", timestamp: Int(now), body: bodyBytes, key: key)
        let cases: [[(name: String, value: String)]] = [
            [("X-Webhook-Signature", hexBody)],
            [("X-Webhook-Signature", "sha256=" + hexBody)],
            [("X-Webhook-Signature", timestamped), ("X-Webhook-Timestamp", String(Int(now)))],
            [("X-Webhook-Signature", timestamped), ("X-Webhook-Timestamp", String(Int(now) - 301))],
            [("webhook-id", "msg_1"), ("webhook-timestamp", String(Int(now))), ("webhook-signature", standard)],
            [("X-Webhook-Signature", String(repeating: "0", count: 64))],
            [],
        ]
        var compared = 0
        for headers in cases {
            let request = SchemeFixture.request(headers: headers, body: body)
            let old = SignatureVerifier().check(
                body: bodyBytes,
                headers: SignatureHeaders(
                    webhookSignature: request.header("x-webhook-signature"), webhookTimestamp: request.header("x-webhook-timestamp"),
                    standardID: request.header("webhook-id"), standardTimestamp: request.header("webhook-timestamp"),
                    standardSignature: request.header("webhook-signature")), keys: [key], nowSeconds: now)
            let expected: VerificationOutcome
            switch old {
            case .verified(let delivery): expected = .verified(signedKey: delivery.idempotencyKey)
            case .missing: expected = .missing
            case .invalid: expected = .invalid
            case .outsideWindow: expected = .outsideWindow
            }
            #expect(scheme.verify(request, credentials: [SchemeFixture.secret(secret)], nowSeconds: now) == expected)
            compared += 1
        }
        #expect(compared == 7)
        // And the keys are today's: nil for body-only, sig:… for timestamped, the id for Standard Webhooks.
        let timestampedRequest = SchemeFixture.request(
            headers: [("X-Webhook-Signature", timestamped), ("X-Webhook-Timestamp", String(Int(now)))], body: body)
        let outcome = scheme.verify(timestampedRequest, credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
        #expect(outcome == .verified(signedKey: "sig:\(Int(now)):" + String(timestamped.prefix(32))))
    }

    @Test("Tampered body, wrong secret, missing header, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.voxworks)
        let signature = SignatureVerifier.sign(timestamp: Int(now), body: Array(body.utf8), key: key)
        let request = SchemeFixture.request(
            headers: [("X-Webhook-Signature", signature), ("X-Webhook-Timestamp", String(Int(now)))], body: body)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret(SecretMaterial.signingSecret().display)
        #expect(SchemeFixture.isVerified(scheme.verify(request, credentials: [good], nowSeconds: now)))
        #expect(scheme.verify(SchemeFixture.tampered(request), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request, credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request, header: "X-Webhook-Signature"), credentials: [good], nowSeconds: now) == .missing)
        #expect(scheme.verify(request, credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request, credentials: [other, good], nowSeconds: now)))
        let narrow = try SchemeFixture.scheme(.voxworks, settings: VerificationSettings(toleranceSeconds: 10))
        #expect(narrow.verify(request, credentials: [good], nowSeconds: now + 11) == .outsideWindow)
    }

    @Test("The docs recipe: openssl with the hex of the decoded whsec_ key over ts.body")
    func docsRecipe() throws {
        // docs/senders.md's voxworks recipe, run with TS=1700000000:
        //   KEY_HEX=$(printf '%s' "${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
        //   printf '%s' "$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY_HEX
        let scheme = try SchemeFixture.scheme(.voxworks)
        let mac = "3eba412156843c9f4849741ae833f9cfde81757c7f3704e6b907d7021488cf5f"
        let request = SchemeFixture.request(
            headers: [("X-Webhook-Timestamp", "1700000000"), ("X-Webhook-Signature", mac)], body: #"{"event":"call.completed"}"#)
        #expect(
            scheme.verify(request, credentials: [SchemeFixture.secret(secret)], nowSeconds: 1_700_000_000)
                == .verified(signedKey: "sig:1700000000:" + String(mac.prefix(32))))
    }

    @Test("A credential must be a whsec_ secret; no delivery id of its own; JSON only")
    func credentialAndDefaults() throws {
        let scheme = try SchemeFixture.scheme(.voxworks)
        #expect(scheme.problem(with: SchemeFixture.secret(secret)) == nil)
        #expect(scheme.problem(with: SchemeCredential()) == "secret is required")
        #expect(scheme.problem(with: SchemeFixture.secret("plain-text")) != nil)
        #expect(scheme.deliveryID(SchemeFixture.request(headers: [("webhook-id", "msg_1")], body: body)) == nil)
        #expect(scheme.defaultAccept == [.json])
        #expect(scheme.answersGET == false)
    }
}
