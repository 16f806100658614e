import Testing

@testable import VoxworksCore

@Suite("HeaderTokenScheme")
struct HeaderTokenSchemeTests {
    /// RFC 6750 section 2.1's example request: `Authorization: Bearer
    /// mF_9.B5f-4.1JqM`, configured as header "Authorization" and the whole
    /// value as the token.
    let scheme: HeaderTokenScheme? = try? HeaderTokenScheme(header: "Authorization")
    let credentials = [SchemeCredential(value: "Bearer mF_9.B5f-4.1JqM")]
    let body = #"{"event":"ping"}"#

    private func verify(_ headers: [String: String], credentials: [SchemeCredential]? = nil) -> VerificationOutcome? {
        scheme?.verify(SchemeTestKit.post(headers, body: body), credentials: credentials ?? self.credentials, nowSeconds: SchemeTestKit.now)
    }

    @Test func knownAnswerFromRFC6750() {
        #expect(verify(["Authorization": "Bearer mF_9.B5f-4.1JqM"]) == .verified(signedKey: nil))
        #expect(verify(["authorization": "Bearer mF_9.B5f-4.1JqM"]) == .verified(signedKey: nil))
    }

    @Test func wrongValueOrMissingHeaderAreRefused() {
        #expect(verify(["Authorization": "Bearer mF_9.B5f-4.1Jqm"]) == .invalid)
        #expect(verify(["Authorization": "Bearer mF_9.B5f-4.1JqM "]) == .invalid)
        #expect(verify(["Authorization": ""]) == .invalid)
        #expect(verify(["Authorization": String(repeating: "x", count: 100_000)]) == .invalid)
        #expect(verify(["X-Other": "Bearer mF_9.B5f-4.1JqM"]) == .missing)
        #expect(verify(["Authorization": "Bearer mF_9.B5f-4.1JqM"], credentials: [SchemeCredential()]) == .invalid)
    }

    @Test func rotationAcceptsTheOldValueListedSecond() {
        let rotated = [SchemeCredential(value: "Bearer new"), credentials[0]]
        #expect(verify(["Authorization": "Bearer mF_9.B5f-4.1JqM"], credentials: rotated) == .verified(signedKey: nil))
    }

    @Test func settingsAndCredentialAreChecked() {
        #expect(throws: SchemeSettingsError("header_token needs \"header\"")) { try HeaderTokenScheme(header: "") }
        #expect(throws: SchemeSettingsError("header_token \"header\" must be an HTTP header name")) {
            try HeaderTokenScheme(header: "X Token")
        }
        #expect(scheme?.problem(with: SchemeCredential(secret: "x")) == "value is required")
        #expect(scheme?.deliveryID(SchemeTestKit.post([:], body: body)) == nil)
    }
}
