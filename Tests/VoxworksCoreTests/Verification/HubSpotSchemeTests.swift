import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("HubSpotScheme")
struct HubSpotSchemeTests {
    // Known answer. Source: github.com/HubSpot/hubspot-api-python,
    // tests/spec/utils/test_signature.py (test_get_signature__v3: client
    // secret, body, url, POST, timestamp 1693657560000 → signature below).
    let secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
    let body = "{'example_field':'example_value'}"
    let url = "https://www.example.com/webhook_uri"
    let timestamp = "1693657560000"
    let signature = "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="
    let now: Double = 1_693_657_560

    func request(url: String? = nil, timestamp: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            url: url ?? self.url,
            headers: [("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp ?? self.timestamp)], body: body)
    }

    @Test("Known answer (hubspot-api-python v3): method + URL + body + timestamp in milliseconds")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.hubspot, settings: VerificationSettings(url: url))
        let outcome = scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
        let mac = Array(Data(base64Encoded: signature) ?? Data())
        #expect(outcome == .verified(signedKey: "sig:1693657560000:" + SchemeFixture.hex(Array(mac.prefix(16)))))
    }

    @Test("Tampered body, other URL, changed timestamp, wrong secret, missing headers, stale timestamp (ms), rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.hubspot)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(url: "https://www.example.com/other"), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(timestamp: "1693657560001"), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-HubSpot-Signature-v3"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-HubSpot-Request-Timestamp"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [good], nowSeconds: now + 300)))
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: now)))
    }

    @Test("A URL with escapes HubSpot decodes before signing verifies both ways; other escapes stay")
    func decodedURL() throws {
        let scheme = try SchemeFixture.scheme(.hubspot)
        let received = "https://www.example.com/webhook_uri?to=a%40b.example%3Bx&q=%20"
        let signedURL = "https://www.example.com/webhook_uri?to=a@b.example;x&q=%20"
        #expect(HubSpotScheme.decodingSigned(received) == signedURL)
        #expect(HubSpotScheme.decodingSigned("https://www.example.com/a?q=%20") == nil)
        let mac = SchemeFixture.base64(SchemeFixture.hmac(SHA256.self, key: secret, "POST" + signedURL + body + timestamp))
        let request = SchemeFixture.request(
            url: received, headers: [("X-HubSpot-Signature-v3", mac), ("X-HubSpot-Request-Timestamp", timestamp)], body: body)
        #expect(SchemeFixture.isVerified(scheme.verify(request, credentials: [SchemeFixture.secret(secret)], nowSeconds: now)))
    }
}
