import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("GitHubScheme")
struct GitHubSchemeTests {
    // Known answer. Source: GitHub Docs, "Validating webhook deliveries",
    // section "Testing the webhook payload validation"
    // (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
    let secret = "It's a Secret to Everybody"
    let body = "Hello, World!"
    let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    func request(_ signature: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [("X-Hub-Signature-256", signature ?? self.signature), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")],
            body: body)
    }

    @Test("Known answer (GitHub Docs test values)")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.github)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0) == .verified(signedKey: nil))
        // Upper-case hex is the same MAC.
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(
                    request("sha256=" + signature.dropFirst(7).uppercased()), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0)))
    }

    @Test("Tampered body, wrong secret, missing header, wrong prefix, rotation; no window (nothing timed is signed)")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.github)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("another secret")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-Hub-Signature-256"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(scheme.verify(request("sha1=" + signature.dropFirst(7)), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: 1e12) == .verified(signedKey: nil))
    }

    @Test("Delivery id is X-GitHub-Delivery")
    func deliveryID() throws {
        #expect(try SchemeFixture.scheme(.github).deliveryID(request()) == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
    }
}
