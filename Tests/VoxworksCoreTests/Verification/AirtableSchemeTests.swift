import Foundation
import Testing

@testable import VoxworksCore

@Suite("AirtableScheme")
struct AirtableSchemeTests {
    let scheme = AirtableScheme()
    /// pyairtable's vector (gtalarico/pyairtable, tests/test_models_webhook.py,
    /// test_notification_from_request, commit 25f31b0f4ab95d3e23ab37a645483ac38c8126ca):
    /// macSecretBase64 "c2VjcmV0LWtleQ==" (base64 of "secret-key"), the body
    /// `json.dumps` writes for its notification, and its expected header.
    let secret = "c2VjcmV0LWtleQ=="
    let body = #"{"base": {"id": "app00000000000000"}, "webhook": {"id": "ach00000000000000"}, "timestamp": "2022-02-01T21:25:05.663Z"}"#

    @Test func knownAnswer() {
        let request = SchemeTestKit.post(
            ["X-Airtable-Content-MAC": "hmac-sha256=e26da696a90933647bddc83995c3e1e3bb1c3d8ce1ff61cb7469767d50b2b2d4"], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        // The base64 text itself is not the key.
        let undecoded = SchemeTestKit.post(
            ["X-Airtable-Content-MAC": "hmac-sha256=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: secret))], body: body)
        #expect(scheme.verify(undecoded, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.deliveryID(request) == nil)
    }

    private func signed(_ body: String, rawKey: String) -> InboundRequest {
        SchemeTestKit.post(
            ["X-Airtable-Content-MAC": "hmac-sha256=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: rawKey))], body: body)
    }

    @Test func tamperedWrongKeyMissingRotationAndHostileValues() {
        let credentials = [SchemeTestKit.secret(secret)]
        let now = SchemeTestKit.now
        var tampered = signed(body, rawKey: "secret-key")
        tampered.body = Array(SchemeTestKit.tampered(body).utf8)
        #expect(scheme.verify(tampered, credentials: credentials, nowSeconds: now) == .invalid)
        #expect(scheme.verify(signed(body, rawKey: "other-key"), credentials: credentials, nowSeconds: now) == .invalid)
        #expect(scheme.verify(SchemeTestKit.post([:], body: body), credentials: credentials, nowSeconds: now) == .missing)
        let newSecret = Data("new-key".utf8).base64EncodedString()
        let rotated = [SchemeTestKit.secret(newSecret), SchemeTestKit.secret(secret)]
        #expect(scheme.verify(signed(body, rawKey: "secret-key"), credentials: rotated, nowSeconds: now) == .verified(signedKey: nil))
        #expect(scheme.verify(signed(body, rawKey: "new-key"), credentials: rotated, nowSeconds: now) == .verified(signedKey: nil))
        for value in SchemeTestKit.hostileValues {
            let request = SchemeTestKit.post(["X-Airtable-Content-MAC": value], body: body)
            #expect(scheme.verify(request, credentials: credentials, nowSeconds: now) == .invalid)
        }
    }

    @Test func problemNeedsBase64() {
        #expect(scheme.problem(with: SchemeTestKit.secret(secret)) == nil)
        #expect(scheme.problem(with: SchemeTestKit.secret("not base64!")) == "secret must be the base64 macSecretBase64 Airtable returned")
        #expect(scheme.problem(with: SchemeCredential()) == "secret is required (the webhook's macSecretBase64)")
    }
}
