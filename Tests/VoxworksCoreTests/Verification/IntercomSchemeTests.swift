import Testing

@testable import VoxworksCore

@Suite("IntercomScheme")
struct IntercomSchemeTests {
    let scheme = IntercomScheme()
    let secret = "intercom-client-secret"
    /// Intercom's documented `ping` notification shape with its documented id.
    let body =
        #"{"type":"notification_event","app_id":"ecahpwf5","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interzen"}},"links":{},"id":"notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3","topic":"ping","delivery_status":null,"delivery_attempts":1,"delivered_at":0,"first_sent_at":1719573316,"created_at":1719573316,"self":null}"#

    /// Known answer. Intercom publishes the algorithm (HMAC-SHA1 of the body
    /// with the client secret, `X-Hub-Signature: sha1=<hex>`,
    /// https://developers.intercom.com/docs/webhooks/webhook-notifications)
    /// but no vector; this one was generated with Python's hmac module:
    /// `'sha1=' + hmac.new(b'intercom-client-secret', body, hashlib.sha1).hexdigest()`
    /// and checked again with `openssl dgst -sha1 -hmac` (docs recipe).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(["X-Hub-Signature": "sha1=3ab193819a8043996f685d4feaf06055a3544a5d"], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
    }

    private func signed(_ body: String, key: String) -> InboundRequest {
        SchemeTestKit.post(["X-Hub-Signature": "sha1=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA1(body, key: key))], body: body)
    }

    @Test func tamperedBodyWrongSecretAndMissingHeaderAreRefused() {
        let credentials = [SchemeTestKit.secret(secret)]
        var tampered = signed(body, key: secret)
        tampered.body = Array(SchemeTestKit.tampered(body).utf8)
        #expect(scheme.verify(tampered, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.verify(signed(body, key: "other"), credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.verify(SchemeTestKit.post([:], body: body), credentials: credentials, nowSeconds: SchemeTestKit.now) == .missing)
        // A SHA-256 MAC under the SHA-1 header is not accepted.
        let sha256 = SchemeTestKit.post(
            ["X-Hub-Signature": "sha1=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: secret))], body: body)
        #expect(scheme.verify(sha256, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
    }

    @Test func rotationAcceptsTheOldSecretListedSecond() {
        let credentials = [SchemeTestKit.secret("new-secret"), SchemeTestKit.secret(secret)]
        #expect(
            scheme.verify(signed(body, key: secret), credentials: credentials, nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(
            scheme.verify(signed(body, key: "new-secret"), credentials: credentials, nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
    }

    @Test func hostileHeadersAreInvalid() {
        for value in SchemeTestKit.hostileValues {
            let request = SchemeTestKit.post(["X-Hub-Signature": value], body: body)
            #expect(scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .invalid)
        }
    }

    @Test func deliveryIDIsTheNotificationID() {
        #expect(scheme.deliveryID(SchemeTestKit.post([:], body: body)) == "notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3")
        #expect(scheme.deliveryID(SchemeTestKit.post([:], body: "not json")) == nil)
        #expect(scheme.problem(with: SchemeCredential()) == "secret is required")
    }
}
