import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("StandardWebhooksScheme")
struct StandardWebhooksSchemeTests {
    // Known answer. Source: github.com/standard-webhooks/standard-webhooks,
    // libraries/go/webhook_test.go (TestWebhookSign) and the same vector in
    // libraries/javascript/src/webhook.test.ts, libraries/csharp/…/WebhookTest.cs.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp = "1614265330"
    let body = #"{"test": 2432232314}"#
    let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    let now: Double = 1_614_265_330

    func request(prefix: String = "webhook-", signature: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [(prefix + "id", id), (prefix + "timestamp", timestamp), (prefix + "signature", signature ?? self.signature)],
            body: body)
    }

    @Test("Known answer (standard-webhooks test vector), with webhook-* and svix-* header names")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.standardWebhooks)
        let credential = SchemeFixture.secret(secret)
        #expect(scheme.verify(request(), credentials: [credential], nowSeconds: now) == .verified(signedKey: id))
        #expect(scheme.verify(request(prefix: "svix-"), credentials: [credential], nowSeconds: now) == .verified(signedKey: id))
        // The secret without its whsec_ prefix is the same key (the libraries accept both).
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")], nowSeconds: now)
                == .verified(signedKey: id))
    }

    @Test("Several space-separated signatures: one valid v1 entry is enough; other versions are ignored")
    func severalSignatures() throws {
        let scheme = try SchemeFixture.scheme(.standardWebhooks)
        let list = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= " + signature
        #expect(
            scheme.verify(request(signature: list), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
                == .verified(signedKey: id))
        let onlyV2 = "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        #expect(scheme.verify(request(signature: onlyV2), credentials: [SchemeFixture.secret(secret)], nowSeconds: now) == .invalid)
    }

    @Test("Tampered body, tampered id, wrong secret, missing headers, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.standardWebhooks)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret(SecretMaterial.signingSecret().display)
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.replacing(request(), header: "webhook-id", with: "msg_other"), credentials: [good], nowSeconds: now)
                == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            #expect(scheme.verify(SchemeFixture.removing(request(), header: name), credentials: [good], nowSeconds: now) == .missing)
        }
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now - 301) == .outsideWindow)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: now) == .verified(signedKey: id))
    }

    @Test("Delivery id is webhook-id or svix-id; credentials must be base64 after whsec_")
    func deliveryAndCredential() throws {
        let scheme = try SchemeFixture.scheme(.standardWebhooks)
        #expect(scheme.deliveryID(request()) == id)
        #expect(scheme.deliveryID(request(prefix: "svix-")) == id)
        #expect(scheme.problem(with: SchemeFixture.secret(secret)) == nil)
        #expect(scheme.problem(with: SchemeFixture.secret("whsec_not base64!")) != nil)
        #expect(scheme.problem(with: SchemeCredential()) == "secret is required")
        // The aliases name this scheme.
        #expect(SchemeName(parsing: "svix") == .standardWebhooks)
    }
}
