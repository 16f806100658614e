import Testing

@testable import VoxworksCore

@Suite("VercelScheme")
struct VercelSchemeTests {
    let scheme = VercelScheme()
    let secret = "vercel-webhook-secret"
    let body =
        #"{"id":"evt_2XZ3pEq4CrVxAeyAUM7hb3eDo","type":"deployment.created","createdAt":1780000000000,"payload":{"deployment":{"id":"dpl_123"}}}"#

    /// Vercel documents the algorithm (hex HMAC-SHA1 of the raw body with the
    /// webhook secret in `x-vercel-signature`,
    /// https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks) but no
    /// vector; generated with Python's hmac
    /// (`hmac.new(b'vercel-webhook-secret', body, sha1).hexdigest()`).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(["x-vercel-signature": "e2f59673d5f58b57678a0a4f41b8057085f9ba22"], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(scheme.deliveryID(request) == "evt_2XZ3pEq4CrVxAeyAUM7hb3eDo")
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "x-vercel-signature", secret: secret, body: body) { body, key in
            SchemeTestKit.hex(SchemeTestKit.hmacSHA1(body, key: key))
        }
    }
}
