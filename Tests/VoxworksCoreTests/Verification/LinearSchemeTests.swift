import Testing

@testable import VoxworksCore

@Suite("LinearScheme")
struct LinearSchemeTests {
    let scheme = LinearScheme()
    /// The body and secret of Linear's SDK test (linear/linear,
    /// packages/sdk/src/_tests/LinearWebhooks.test.ts: secret "SECRET", the
    /// Comment payload), serialized as `JSON.stringify` does, with
    /// `webhookTimestamp` fixed to `now` in milliseconds.
    let body =
        #"{"action":"create","data":{"id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9","createdAt":"2020-01-23T12:53:18.084Z","updatedAt":"2020-01-23T12:53:18.084Z","archivedAt":null,"body":"Indeed, I think this is definitely an improvement over the previous version.","edited":false,"issueId":"539068e2-ae88-4d09-bd75-22eb4a59612f","userId":"aacdca22-6266-4c0a-ab3c-8fa70a26765c"},"type":"Comment","url":"https://linear.app/issue/LIN-1778/foo-bar#comment-77217de3-fb52-4dad-bb9a-b356beb93de8","createdAt":"2020-01-23T12:53:18.084Z","webhookTimestamp":1780000000000}"#

    /// Known answer: the SDK's test computes the signature as
    /// `crypto.createHmac("sha256", "SECRET").update(rawBody).digest("hex")`
    /// over a body with the current time; this is the same computation with
    /// the time fixed (Python: `hmac.new(b'SECRET', body, sha256).hexdigest()`).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(
            ["Linear-Signature": "1c4cc185b2b400830ac2b40616f38f10a073c3f5b2bd9d96335b790b7437aeaf", "Linear-Delivery": "d1"], body: body)
        guard case .verified(let key) = scheme.verify(request, credentials: [SchemeTestKit.secret("SECRET")], nowSeconds: SchemeTestKit.now)
        else {
            Issue.record("the SDK test's signature must verify")
            return
        }
        #expect(key?.hasPrefix("sig:1780000000000:") == true)
    }

    private func signed(_ body: String, key: String) -> InboundRequest {
        SchemeTestKit.post(["Linear-Signature": SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: key))], body: body)
    }

    @Test func tamperedBodyWrongSecretAndMissingHeaderAreRefused() {
        let credentials = [SchemeTestKit.secret("SECRET")]
        var tampered = signed(body, key: "SECRET")
        tampered.body = Array(SchemeTestKit.tampered(body).utf8)
        #expect(scheme.verify(tampered, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.verify(signed(body, key: "WRONG_SECRET"), credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.verify(SchemeTestKit.post([:], body: body), credentials: credentials, nowSeconds: SchemeTestKit.now) == .missing)
    }

    @Test func theSignedTimestampMustBeWithinTheTolerance() {
        let credentials = [SchemeTestKit.secret("SECRET")]
        let request = signed(body, key: "SECRET")
        #expect(scheme.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now + 299) != .outsideWindow)
        #expect(scheme.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now + 301) == .outsideWindow)
        #expect(scheme.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now - 301) == .outsideWindow)
        // The MAC is checked first: a stale request with a wrong MAC is invalid.
        #expect(scheme.verify(signed(body, key: "x"), credentials: credentials, nowSeconds: SchemeTestKit.now + 10_000) == .invalid)
        // A configured tolerance applies.
        let strict = LinearScheme(tolerance: 60)
        #expect(strict.verify(request, credentials: credentials, nowSeconds: SchemeTestKit.now + 61) == .outsideWindow)
    }

    @Test func aBodyWithoutWebhookTimestampVerifiesWithoutAWindow() {
        // As Linear's SDK does: the timestamp check applies when there is one.
        let plain = #"{"action":"create","type":"Issue"}"#
        #expect(
            scheme.verify(signed(plain, key: "SECRET"), credentials: [SchemeTestKit.secret("SECRET")], nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
    }

    @Test func rotationAcceptsTheOldSecretListedSecond() {
        let credentials = [SchemeTestKit.secret("NEW"), SchemeTestKit.secret("SECRET")]
        #expect(scheme.verify(signed(body, key: "SECRET"), credentials: credentials, nowSeconds: SchemeTestKit.now) != .invalid)
        #expect(scheme.verify(signed(body, key: "NEW"), credentials: credentials, nowSeconds: SchemeTestKit.now) != .invalid)
    }

    @Test func hostileHeadersAreInvalid() {
        for value in SchemeTestKit.hostileValues {
            let request = SchemeTestKit.post(["Linear-Signature": value], body: body)
            #expect(scheme.verify(request, credentials: [SchemeTestKit.secret("SECRET")], nowSeconds: SchemeTestKit.now) == .invalid)
        }
    }

    @Test func deliveryIDIsTheLinearDeliveryHeader() {
        #expect(
            scheme.deliveryID(SchemeTestKit.post(["Linear-Delivery": "234d1a4e-b617-4388-90fe-adc3633d6b72"], body: body))
                == "234d1a4e-b617-4388-90fe-adc3633d6b72")
        #expect(scheme.deliveryID(SchemeTestKit.post([:], body: body)) == nil)
    }
}
