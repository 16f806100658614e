import Foundation
import Testing

@testable import VoxworksCore

@Suite("GitLabScheme")
struct GitLabSchemeTests {
    // Known answer. Source: GitLab Docs, "Webhooks" › "Create a webhook" /
    // "Delivery headers" (https://docs.gitlab.com/user/project/integrations/webhooks/):
    // the Secret token is sent unchanged in X-Gitlab-Token; X-Gitlab-Event-UUID
    // identifies the event. Nothing is hashed, so the vector is the token itself.
    let token = "my-secret-token"
    let body = #"{"object_kind":"push"}"#

    func request(_ token: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [("X-Gitlab-Token", token ?? self.token), ("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e")], body: body)
    }

    @Test("Known answer: the token as sent passes; nothing else is signed")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.gitlab)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(token)], nowSeconds: 0) == .verified(signedKey: nil))
        // The body is not signed by GitLab: a changed body still carries a valid token.
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(SchemeFixture.tampered(request()), credentials: [SchemeFixture.secret(token)], nowSeconds: 0)))
    }

    @Test("Wrong token, a prefix of it, a longer one, missing header, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.gitlab)
        let good = SchemeFixture.secret(token)
        #expect(scheme.verify(request("other-token"), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request("my-secret"), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(token + "x"), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret("new-token")], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(SchemeFixture.removing(request(), header: "X-Gitlab-Token"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret("new-token"), good], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Delivery id is X-Gitlab-Event-UUID")
    func deliveryID() throws {
        #expect(try SchemeFixture.scheme(.gitlab).deliveryID(request()) == "13792a34-cac6-4fda-95a8-c58e00a3954e")
    }
}
