import Testing

@testable import VoxworksCore

@Suite("XeroScheme")
struct XeroSchemeTests {
    let scheme = XeroScheme()
    let secret = "xero-webhooks-key"
    /// The example event of Xero's webhooks docs.
    let body =
        #"{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","resourceId":"717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","eventDateUtc":"2017-06-21T01:15:39.902","eventType":"Update","eventCategory":"CONTACT","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}"#
    let intentToReceive = #"{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"KSXWBDIXJJQOSDPGEVKA"}"#

    /// Xero documents the algorithm (base64 HMAC-SHA256 of the body with the
    /// webhooks key in `x-xero-signature`,
    /// https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/)
    /// but no vector; generated with Python's hmac
    /// (`base64.b64encode(hmac.new(b'xero-webhooks-key', body, sha256).digest())`).
    @Test func knownAnswers() {
        let credentials = [SchemeTestKit.secret(secret)]
        let event = SchemeTestKit.post(["x-xero-signature": "Zss7YMPdRUxdewQ9pydBpqwhsKAaA3znaHQr4iZkKAE="], body: body)
        #expect(scheme.verify(event, credentials: credentials, nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(scheme.signedHandshake(event, credentials: credentials) == nil)
        let itr = SchemeTestKit.post(["x-xero-signature": "cK/E4acoZjpmhdOVkHXE9NrAErChlfC+gn2DB/iIavc="], body: intentToReceive)
        #expect(scheme.verify(itr, credentials: credentials, nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        // Intent to receive: 200 with an empty body, no execution.
        #expect(
            scheme.signedHandshake(itr, credentials: credentials) == HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: []))
        // Its deliberately wrong twin is refused, as Xero expects (401).
        let wrong = SchemeTestKit.post(["x-xero-signature": "dK/E4acoZjpmhdOVkHXE9NrAErChlfC+gn2DB/iIavc="], body: intentToReceive)
        #expect(scheme.verify(wrong, credentials: credentials, nowSeconds: SchemeTestKit.now) == .invalid)
        #expect(scheme.deliveryID(event) == nil)
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "x-xero-signature", secret: secret, body: body) { body, key in
            SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }
}
