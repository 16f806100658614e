import Testing

@testable import VoxworksCore

@Suite("BasicAuthScheme")
struct BasicAuthSchemeTests {
    /// RFC 7617 section 2's example: user-id "Aladdin", password "open sesame"
    /// → `Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`.
    let scheme: BasicAuthScheme? = try? BasicAuthScheme(username: "Aladdin")
    let credentials = [SchemeCredential(password: "open sesame")]
    let body = #"{"event":"ping"}"#

    private func verify(_ authorization: String?, credentials: [SchemeCredential]? = nil) -> VerificationOutcome? {
        let headers = authorization.map { ["Authorization": $0] } ?? [:]
        return scheme?.verify(
            SchemeTestKit.post(headers, body: body), credentials: credentials ?? self.credentials, nowSeconds: SchemeTestKit.now)
    }

    @Test func knownAnswerFromRFC7617() {
        #expect(verify("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == .verified(signedKey: nil))
        // The scheme name is case-insensitive.
        #expect(verify("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == .verified(signedKey: nil))
    }

    @Test func wrongPasswordUserOrMissingHeaderAreRefused() {
        #expect(verify("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", credentials: [SchemeCredential(password: "close sesame")]) == .invalid)
        #expect(verify("Basic " + SchemeTestKit.base64(Array("Aladdin:open sesamE".utf8))) == .invalid)
        #expect(verify("Basic " + SchemeTestKit.base64(Array("aladdin:open sesame".utf8))) == .invalid)
        #expect(verify(nil) == .missing)
        #expect(verify("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == .missing)
        for value in ["Basic ", "Basic %%%", "Basic " + String(repeating: "A", count: 100_000), "Basic 🙂"] {
            #expect(verify(value) == .invalid)
        }
    }

    @Test func rotationAcceptsTheOldPasswordListedSecond() {
        let rotated = [SchemeCredential(password: "new password"), SchemeCredential(password: "open sesame")]
        #expect(verify("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", credentials: rotated) == .verified(signedKey: nil))
    }

    @Test func settingsAndCredentialAreChecked() {
        #expect(throws: SchemeSettingsError("basic_auth needs \"username\"")) { try BasicAuthScheme(username: "") }
        #expect(throws: SchemeSettingsError("basic_auth \"username\" cannot contain \":\"")) { try BasicAuthScheme(username: "a:b") }
        #expect(scheme?.problem(with: SchemeCredential(secret: "x")) == "password is required")
        #expect(scheme?.problem(with: credentials[0]) == nil)
        #expect(scheme?.deliveryID(SchemeTestKit.post([:], body: body)) == nil)
    }
}
