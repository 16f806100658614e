import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("BitbucketScheme")
struct BitbucketSchemeTests {
    // Atlassian publishes the algorithm (Bitbucket Cloud "Manage webhooks" ›
    // "Secure webhooks": X-Hub-Signature: sha256=<hex HMAC-SHA256(body)>)
    // but no fixed vector, and ships no SDK that verifies; this vector was
    // made with the docs' algorithm by openssl:
    //   printf '%s' '{"push":{"changes":[]}}' | openssl dgst -sha256 -hmac 'bb-webhook-secret'
    let secret = "bb-webhook-secret"
    let body = #"{"push":{"changes":[]}}"#
    let signature = "sha256=32b50d5f4980d22ae67ea4bd09ed3af2ec46ba456b68e18ca06522be472316f0"

    func request() -> InboundRequest {
        SchemeFixture.request(
            headers: [
                ("X-Hub-Signature", signature), ("X-Request-UUID", "{b7f2e0a5-7c1b-4b8f-9c55-3f1c0d7a2e11}"), ("X-Event-Key", "repo:push"),
            ],
            body: body)
    }

    @Test("Known answer (openssl, Atlassian's documented algorithm)")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.bitbucket)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Tampered body, wrong secret, missing header, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.bitbucket)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("other")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(SchemeFixture.removing(request(), header: "X-Hub-Signature"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Delivery id is X-Request-UUID, else X-Request-Id")
    func deliveryID() throws {
        let scheme = try SchemeFixture.scheme(.bitbucket)
        #expect(scheme.deliveryID(request()) == "{b7f2e0a5-7c1b-4b8f-9c55-3f1c0d7a2e11}")
        let server = SchemeFixture.request(headers: [("X-Request-Id", "a1b2")], body: body)
        #expect(scheme.deliveryID(server) == "a1b2")
    }
}
