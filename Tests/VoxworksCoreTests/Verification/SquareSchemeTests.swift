import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("SquareScheme")
struct SquareSchemeTests {
    // Known answers. Source: github.com/square/square-python-sdk,
    // tests/integration/test_webhooks_helper.py (REQUEST_BODY,
    // SIGNATURE_HEADER, SIGNATURE_KEY, NOTIFICATION_URL, and the escaped-body
    // vector of test_signature_validation_escaped_pass).
    let key = "Ibxx_5AKakO-3qeNVR61Dw"
    let url = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"
    let body =
        #"{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}"#
    let signature = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="

    func request(url: String? = nil) -> InboundRequest {
        SchemeFixture.request(url: url ?? self.url, headers: [("x-square-hmacsha256-signature", signature)], body: body)
    }

    @Test("Known answer (square-python-sdk): URL + body; event_id is the signed key")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.square, settings: VerificationSettings(url: url))
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret(key)], nowSeconds: 0)
                == .verified(signedKey: "ac3ac95b-f97d-458c-a6e6-18981597e05f"))
        #expect(scheme.deliveryID(request()) == "ac3ac95b-f97d-458c-a6e6-18981597e05f")
        let escaped = SchemeFixture.request(
            url: "https://webhook.site/webhooks",
            headers: [("x-square-hmacsha256-signature", "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=")],
            body: #"{"data":{"type":"webhooks","id":">id<"}}"#)
        #expect(scheme.verify(escaped, credentials: [SchemeFixture.secret("signature-key")], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Tampered body, other URL, wrong key, missing header, rotation (square-python-sdk's refusals)")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.square)
        let good = SchemeFixture.secret(key)
        let other = SchemeFixture.secret("MCmhFRxGX82xMwg5FsaoQA")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(request(url: "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9"), credentials: [good], nowSeconds: 0)
                == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "x-square-hmacsha256-signature"), credentials: [good], nowSeconds: 0)
                == .missing)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: 0)))
    }
}
