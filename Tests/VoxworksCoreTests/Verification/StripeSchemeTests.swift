import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("StripeScheme")
struct StripeSchemeTests {
    // Stripe publishes no fixed vector (its SDK tests sign at the current
    // time), so this one was generated with the official SDK, stripe 16.1.0
    // from PyPI, on the secret and payload of stripe-python's
    // tests/test_webhook.py (DUMMY_WEBHOOK_SECRET, DUMMY_WEBHOOK_PAYLOAD):
    //   payload = DUMMY_WEBHOOK_PAYLOAD; ts = 1700000000
    //   sig = stripe.WebhookSignature._compute_signature("%d.%s" % (ts, payload), "whsec_test_secret")
    //   stripe.WebhookSignature.verify_header(payload, "t=%d,v1=%s" % (ts, sig), "whsec_test_secret", tolerance=None)
    let secret = "whsec_test_secret"
    let body =
        "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\",\n  \"data\": { \"object\": { \"id\": \"rdr_123\", \"object\": \"terminal.reader\" } }\n}"
    let header = "t=1700000000,v1=3bfab77baf5f7b6991a46c9b53b6547d7afc56148b10468fcad9f35c1992ffbd"
    let now: Double = 1_700_000_000

    func request(_ header: String? = nil, body: String? = nil) -> InboundRequest {
        SchemeFixture.request(headers: [("Stripe-Signature", header ?? self.header)], body: body ?? self.body)
    }

    @Test("Known answer (stripe SDK): the whole whsec_ text is the key; the event id is the signed key")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.stripe)
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
                == .verified(signedKey: "evt_test_webhook"))
        #expect(scheme.deliveryID(request()) == "evt_test_webhook")
    }

    @Test("Several v1 entries and a v0 entry: any v1 matching passes; spaces after commas are tolerated")
    func severalSignatures() throws {
        let scheme = try SchemeFixture.scheme(.stripe)
        let mac = String(header.dropFirst("t=1700000000,v1=".count))
        let several = "t=1700000000, v1=" + String(repeating: "0", count: 64) + ", v1=" + mac + ", v0=" + String(repeating: "1", count: 64)
        #expect(SchemeFixture.isVerified(scheme.verify(request(several), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)))
        #expect(scheme.verify(request("t=1700000000,v0=" + mac), credentials: [SchemeFixture.secret(secret)], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request("v1=" + mac), credentials: [SchemeFixture.secret(secret)], nowSeconds: now) == .invalid)
    }

    @Test("Tampered body, changed timestamp, wrong secret, missing header, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.stripe)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("whsec_other")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(
                request(header.replacingOccurrences(of: "t=1700000000", with: "t=1700000001")), credentials: [good], nowSeconds: now)
                == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "Stripe-Signature"), credentials: [good], nowSeconds: now) == .missing)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: now) == .verified(signedKey: "evt_test_webhook"))
    }

    @Test("A body without an id is keyed by its signed timestamp and MAC")
    func timestampKey() throws {
        let scheme = try SchemeFixture.scheme(.stripe)
        let body = #"{"object":"event"}"#
        let mac = SchemeFixture.hex(SchemeFixture.hmac(SHA256.self, key: secret, "1700000000." + body))
        let outcome = scheme.verify(
            request("t=1700000000,v1=" + mac, body: body), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
        #expect(outcome == .verified(signedKey: "sig:1700000000:" + String(mac.prefix(32))))
    }
}
