import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("LemonSqueezyScheme")
struct LemonSqueezySchemeTests {
    // Lemon Squeezy documents the algorithm ("Signing requests": X-Signature
    // is the hex HMAC-SHA256 of the body with the webhook's signing secret)
    // but publishes no fixed vector, and has no official PyPI SDK. Made with
    // openssl:
    //   printf '%s' '{"meta":{"event_name":"order_created"},"data":{"id":"1"}}' | openssl dgst -sha256 -hmac 'lemon-signing-secret'
    let secret = "lemon-signing-secret"
    let body = #"{"meta":{"event_name":"order_created"},"data":{"id":"1"}}"#
    let signature = "7e6871d067943f8e536397110524cf67f72c23c54c56225956a7339d4283eaae"

    func request() -> InboundRequest {
        SchemeFixture.request(headers: [("X-Signature", signature), ("X-Event-Name", "order_created")], body: body)
    }

    @Test("Known answer (openssl, Lemon Squeezy's documented algorithm)")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.lemonsqueezy)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0) == .verified(signedKey: nil))
        #expect(scheme.deliveryID(request()) == nil)
    }

    @Test("Tampered body, wrong secret, missing header, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.lemonsqueezy)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("other")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(SchemeFixture.removing(request(), header: "X-Signature"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: 0) == .verified(signedKey: nil))
    }
}
