import Testing

@testable import VoxworksCore

@Suite("AsanaScheme")
struct AsanaSchemeTests {
    let scheme = AsanaScheme()
    let secret = "4c9ad4b3c1d9e8f7a6b5c4d3e2f1a0b9"
    let body = #"{"events":[{"action":"changed","resource":{"gid":"1337","resource_type":"task"}}]}"#

    /// Asana documents the algorithm (hex HMAC-SHA256 of the body keyed with
    /// the handshake's X-Hook-Secret, `X-Hook-Signature`,
    /// https://developers.asana.com/docs/webhooks-guide#security) but no
    /// vector; generated with Python's hmac
    /// (`hmac.new(secret.encode(), body, sha256).hexdigest()`).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(
            ["X-Hook-Signature": "89dc08599485dab40d64a18b05dc686d9c6b312e5a2d633db6b891ec6b84532f"], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(scheme.deliveryID(request) == nil)
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "X-Hook-Signature", secret: secret, body: body) { body, key in
            SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }

    @Test func handshakeEchoesAndAdoptsTheSecret() {
        let handshake = SchemeTestKit.post(["X-Hook-Secret": secret], body: "")
        let answer = HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: [], headers: ["X-Hook-Secret": secret])
        #expect(scheme.unsignedHandshake(handshake, credentials: []) == .adoptSecret(secret, answer))
        #expect(
            scheme.unsignedHandshake(SchemeTestKit.post(["X-Hook-Secret": "a b"], body: ""))
                == .refused(status: 400, message: "Invalid X-Hook-Secret"))
        #expect(
            scheme.unsignedHandshake(SchemeTestKit.post(["X-Hook-Secret": String(repeating: "a", count: 2000)], body: ""))
                == .refused(status: 400, message: "Invalid X-Hook-Secret"))
        #expect(scheme.unsignedHandshake(SchemeTestKit.post(["X-Hook-Signature": "00"], body: body), credentials: []) == nil)
        // Before the handshake the webhook has no secret: that credential is valid.
        #expect(scheme.problem(with: SchemeCredential()) == nil)
        #expect(
            scheme.verify(
                SchemeTestKit.post(["X-Hook-Signature": "00"], body: body), credentials: [SchemeCredential()], nowSeconds: SchemeTestKit.now
            ) == .invalid)
    }
}

extension AsanaScheme {
    fileprivate func unsignedHandshake(_ request: InboundRequest) -> HandshakeOutcome? { unsignedHandshake(request, credentials: []) }
}
