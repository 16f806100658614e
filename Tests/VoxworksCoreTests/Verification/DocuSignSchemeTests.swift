import Testing

@testable import VoxworksCore

@Suite("DocuSignScheme")
struct DocuSignSchemeTests {
    let scheme = DocuSignScheme()
    /// A Connect HMAC key as DocuSign shows it (a base64-looking string that
    /// DocuSign's samples use as UTF-8 text, not decoded).
    let secret = "2bk9ZmWlqfZtG8fGq7Xu0a4N1Yx6cQxXh2k8v3q9bTo="
    let body =
        #"{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/0000/envelopes/1111","retryCount":0,"configurationId":10000,"generatedDateTime":"2026-12-07T06:00:00.0000000Z","data":{"accountId":"0000","envelopeId":"1111"}}"#

    /// DocuSign documents the algorithm (base64 HMAC-SHA256 of the body with
    /// the key's UTF-8 bytes, one `X-DocuSign-Signature-N` per active key,
    /// https://developers.docusign.com/platform/webhooks/connect/validate/) but
    /// no vector; generated with Python's hmac
    /// (`base64.b64encode(hmac.new(secret.encode(), body, sha256).digest())`).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(["X-DocuSign-Signature-1": "2cPz9/eI0v5W8ttxSnFJzu4JPvEwnZ8mH7CnwCXBgp8="], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(scheme.deliveryID(request) == nil)
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "X-DocuSign-Signature-1", secret: secret, body: body) { body, key in
            SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }

    @Test func anyNumberedHeaderMayCarryTheMatchingSignature() {
        let ours = SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: secret))
        let theirs = SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: "another account key"))
        let request = SchemeTestKit.post(["X-DocuSign-Signature-1": theirs, "X-DocuSign-Signature-2": ours], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        let onlyTheirs = SchemeTestKit.post(["X-DocuSign-Signature-1": theirs, "X-DocuSign-Signature-2": "garbage"], body: body)
        #expect(scheme.verify(onlyTheirs, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .invalid)
        // Hundreds of headers: only the first 100 are looked at, nothing crashes.
        var many: [String: String] = [:]
        for index in 1...300 { many["X-DocuSign-Signature-\(index)"] = theirs }
        #expect(
            scheme.verify(SchemeTestKit.post(many, body: body), credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now)
                == .invalid)
    }
}
