import Testing

@testable import VoxworksCore

@Suite("XScheme")
struct XSchemeTests {
    let scheme = XScheme()
    let secret = "x-consumer-secret"
    let body = #"{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1050118621198921728","text":"hello"}]}"#

    /// X documents the algorithm (HMAC-SHA256 of the body with the consumer
    /// secret, base64, `sha256=` prefix; the CRC answer the same over the
    /// crc_token, https://developer.twitter.com/en/docs/twitter-api/enterprise/account-activity-api/guides/securing-webhooks)
    /// but no vector; generated with Python, as X's own sample does:
    /// `'sha256=' + base64.b64encode(hmac.new(secret, msg, sha256).digest())`.
    @Test func knownAnswers() {
        let request = SchemeTestKit.post(
            ["x-twitter-webhooks-signature": "sha256=lfWVcULKghPA0hvpbKPoh/bUmvhj16O3aNtbHZgqNBo="], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        let crc = SchemeTestKit.get(query: [("crc_token", "challenge_string")])
        #expect(
            scheme.unsignedHandshake(crc, credentials: [SchemeTestKit.secret(secret)])
                == .answer(.json(#"{"response_token":"sha256=Mh91teySBWI4Mi/M5j5jgDFjp2IIQhy8AWNxU0NSqQc="}"#)))
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "X-Twitter-Webhooks-Signature", secret: secret, body: body) { body, key in
            "sha256=" + SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }

    @Test func crcUsesTheNewestSecretAndOnlyAnswersGET() {
        #expect(scheme.answersGET)
        let crc = SchemeTestKit.get(query: [("crc_token", "T")])
        let expected = "sha256=" + SchemeTestKit.base64(SchemeTestKit.hmacSHA256("T", key: "newest"))
        #expect(
            scheme.unsignedHandshake(crc, credentials: [SchemeTestKit.secret("newest"), SchemeTestKit.secret(secret)])
                == .answer(.json(#"{"response_token":"\#(expected)"}"#)))
        #expect(scheme.unsignedHandshake(SchemeTestKit.get(query: []), credentials: [SchemeTestKit.secret(secret)]) == nil)
        #expect(
            scheme.unsignedHandshake(
                SchemeTestKit.post([:], body: body, query: ["crc_token": "T"]), credentials: [SchemeTestKit.secret(secret)]) == nil)
        #expect(scheme.deliveryID(SchemeTestKit.post([:], body: body)) == nil)
    }
}
