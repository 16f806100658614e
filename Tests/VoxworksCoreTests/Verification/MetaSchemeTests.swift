import Testing

@testable import VoxworksCore

@Suite("MetaScheme")
struct MetaSchemeTests {
    let scheme = MetaScheme()
    let credentials = [SchemeCredential(secret: "meta-app-secret", verifyToken: "my-verify-token")]
    /// The shape of a WhatsApp Cloud API status notification.
    let body =
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[]},"field":"messages"}]}]}"#

    /// Meta documents the algorithm (HMAC-SHA256 of the payload with the app
    /// secret, `X-Hub-Signature-256: sha256=<hex>`,
    /// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads)
    /// but no vector; generated with Python's hmac
    /// (`'sha256=' + hmac.new(b'meta-app-secret', body, sha256).hexdigest()`)
    /// and again with the docs' openssl recipe.
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(
            ["X-Hub-Signature-256": "sha256=308c5333219fa63b8666b9ee0015d1be189c74b5913d3592e8b214bf67b095aa"], body: body)
        #expect(scheme.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
    }

    private func signed(_ body: String, key: String) -> InboundRequest {
        SchemeTestKit.post(["X-Hub-Signature-256": "sha256=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: key))], body: body)
    }

    @Test func tamperedBodyWrongSecretAndMissingHeaderAreRefused() {
        var tampered = signed(body, key: "meta-app-secret")
        tampered.body = Array(SchemeTestKit.tampered(body).utf8)
        #expect(scheme.verify(tampered, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.verify(signed(body, key: "other"), credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        // The legacy SHA-1 header alone is not enough.
        let legacy = SchemeTestKit.post(
            ["X-Hub-Signature": "sha1=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA1(body, key: "meta-app-secret"))], body: body)
        #expect(scheme.verify(legacy, credentials: credentials, nowSeconds: SchemeTestKit.now) == .missing)
    }

    @Test func rotationAcceptsTheOldSecretListedSecond() {
        let rotated = [SchemeCredential(secret: "new-secret", verifyToken: "t2"), credentials[0]]
        #expect(
            scheme.verify(signed(body, key: "meta-app-secret"), credentials: rotated, nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
    }

    @Test func hostileHeadersAreInvalid() {
        for value in SchemeTestKit.hostileValues {
            let request = SchemeTestKit.post(["X-Hub-Signature-256": value], body: body)
            #expect(scheme.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        }
    }

    @Test func subscriptionCheckEchoesTheChallengeOnlyForTheVerifyToken() {
        #expect(scheme.answersGET)
        let good = SchemeTestKit.get(query: [
            ("hub.mode", "subscribe"), ("hub.verify_token", "my-verify-token"), ("hub.challenge", "1158201444"),
        ])
        #expect(scheme.unsignedHandshake(good, credentials: credentials) == .answer(.text("1158201444")))
        let wrong = SchemeTestKit.get(query: [("hub.mode", "subscribe"), ("hub.verify_token", "guess"), ("hub.challenge", "1158201444")])
        #expect(scheme.unsignedHandshake(wrong, credentials: credentials) == .refused(status: 403, message: "Invalid verify token"))
        let noToken = SchemeTestKit.get(query: [("hub.mode", "subscribe"), ("hub.challenge", "1158201444")])
        #expect(scheme.unsignedHandshake(noToken, credentials: credentials) == .refused(status: 403, message: "Invalid verify token"))
        // The previous credential's token still works during a rotation.
        let rotated = [SchemeCredential(secret: "s2", verifyToken: "new-token"), credentials[0]]
        #expect(scheme.unsignedHandshake(good, credentials: rotated) == .answer(.text("1158201444")))
        // A POST is never a subscription check.
        #expect(scheme.unsignedHandshake(signed(body, key: "meta-app-secret"), credentials: credentials) == nil)
        #expect(scheme.deliveryID(signed(body, key: "meta-app-secret")) == nil)
    }

    @Test func problemNeedsSecretAndVerifyToken() {
        #expect(scheme.problem(with: credentials[0]) == nil)
        #expect(scheme.problem(with: SchemeCredential(verifyToken: "t")) == "secret is required (the app secret)")
        #expect(
            scheme.problem(with: SchemeCredential(secret: "s")) == "verify_token is required (the token typed in Meta's webhook settings)")
    }
}
