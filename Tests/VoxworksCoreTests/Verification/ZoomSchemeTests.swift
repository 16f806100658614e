import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("ZoomScheme")
struct ZoomSchemeTests {
    // Zoom documents the algorithm ("Using webhooks" › "Verify webhook
    // events": x-zm-signature = "v0=" + hex HMAC-SHA256(secret token,
    // "v0:{x-zm-request-timestamp}:{body}"); "Validate your webhook
    // endpoint": encryptedToken = hex HMAC-SHA256(secret token, plainToken))
    // but publishes no fixed vector, and its SDK (Zoom Rivet, npm) has no
    // test vectors and is not on PyPI. These were made with openssl:
    //   printf '%s' 'v0:1700000000:{"event":"meeting.started","payload":{"account_id":"AAAA"}}' | openssl dgst -sha256 -hmac 'zoom-secret-token'
    //   printf '%s' 'qgg8vlvZRS6UYooatFL8Aw' | openssl dgst -sha256 -hmac 'zoom-secret-token'
    let secret = "zoom-secret-token"
    let body = #"{"event":"meeting.started","payload":{"account_id":"AAAA"}}"#
    let signature = "v0=2e10512b3bc610507eaaac2e1cf716f289e1c4f1a271273cddc6334480980776"
    let now: Double = 1_700_000_000

    func request(body: String? = nil, signature: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [
                ("x-zm-request-timestamp", "1700000000"), ("x-zm-signature", signature ?? self.signature), ("x-zm-trackingid", "v=2.0&s=1"),
            ],
            body: body ?? self.body)
    }

    @Test("Known answer (openssl, Zoom's documented algorithm)")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.zoom)
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
                == .verified(signedKey: "sig:1700000000:2e10512b3bc610507eaaac2e1cf716f2"))
        #expect(scheme.deliveryID(request()) == nil)
    }

    @Test("Tampered body, wrong secret, missing headers, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.zoom)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("other-token")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "x-zm-signature"), credentials: [good], nowSeconds: now) == .missing)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "x-zm-request-timestamp"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now - 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: now)))
    }

    @Test("Handshake: endpoint.url_validation is verified, then answered with plainToken and its hex HMAC (known answer, openssl)")
    func handshake() throws {
        let scheme = try SchemeFixture.scheme(.zoom)
        let validation = request(
            body: #"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event":"endpoint.url_validation"}"#,
            signature: "v0=a1326071387152c1bc409acd27fb4706e3b88f692c91e60949bf5e4038db54a1")
        let credentials = [SchemeFixture.secret(secret), SchemeFixture.secret("older-token")]
        #expect(SchemeFixture.isVerified(scheme.verify(validation, credentials: credentials, nowSeconds: now)))
        let answer = scheme.signedHandshake(validation, credentials: credentials)
        #expect(
            answer
                == .json(
                    #"{"plainToken":"qgg8vlvZRS6UYooatFL8Aw","encryptedToken":"d9e0d764a78494688ba3f2d5c0ed4ca311394b4834d959759213424d2df961e3"}"#
                ))
        #expect(scheme.signedHandshake(request(), credentials: credentials) == nil)
        #expect(scheme.signedHandshake(validation, credentials: []) == nil)
    }
}
