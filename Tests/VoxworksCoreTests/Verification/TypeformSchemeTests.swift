import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("TypeformScheme")
struct TypeformSchemeTests {
    // Typeform documents the algorithm ("Secure your webhooks":
    // Typeform-Signature = "sha256=" + base64 HMAC-SHA256 of the body with
    // the webhook's secret) but publishes no fixed vector and no verifying
    // SDK. Made with openssl:
    //   printf '%s' '{"event_id":"01HTYPEFORMEVENT","event_type":"form_response"}' | openssl dgst -sha256 -hmac 'typeform-secret' -binary | base64
    let secret = "typeform-secret"
    let body = #"{"event_id":"01HTYPEFORMEVENT","event_type":"form_response"}"#
    let signature = "sha256=McPsnd6C1RNv3anFt4rKzjht8QDZbgo9PT8DhK8Cse0="

    func request(_ signature: String? = nil) -> InboundRequest {
        SchemeFixture.request(headers: [("Typeform-Signature", signature ?? self.signature)], body: body)
    }

    @Test("Known answer (openssl, Typeform's documented algorithm); event_id is the signed key")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.typeform)
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0) == .verified(signedKey: "01HTYPEFORMEVENT")
        )
        #expect(scheme.deliveryID(request()) == "01HTYPEFORMEVENT")
    }

    @Test("Tampered body, wrong secret, missing header, missing prefix, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.typeform)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("other")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "Typeform-Signature"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(scheme.verify(request(String(signature.dropFirst(7))), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: 0)))
    }
}
