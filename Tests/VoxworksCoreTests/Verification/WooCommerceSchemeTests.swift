import Testing

@testable import VoxworksCore

@Suite("WooCommerceScheme")
struct WooCommerceSchemeTests {
    let scheme = WooCommerceScheme()
    let secret = "woo-webhook-secret"
    let body = #"{"id":727,"status":"processing","currency":"USD","total":"29.35"}"#

    /// WooCommerce computes `base64_encode(hash_hmac('sha256', $payload,
    /// $secret, true))` (WC_Webhook::generate_signature, woocommerce/woocommerce,
    /// plugins/woocommerce/includes/class-wc-webhook.php); no published
    /// vector, generated with Python's hmac
    /// (`base64.b64encode(hmac.new(b'woo-webhook-secret', body, sha256).digest())`).
    @Test func knownAnswer() {
        let request = SchemeTestKit.post(
            ["X-WC-Webhook-Signature": "eM5zSjptKEguwRLhBYQku9QqgR50QHfG3hwZaiGckco=", "X-WC-Webhook-Delivery-ID": "5b3f1d2e"], body: body)
        #expect(
            scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: SchemeTestKit.now) == .verified(signedKey: nil))
        #expect(scheme.deliveryID(request) == "5b3f1d2e")
    }

    @Test func bodyMACChecks() {
        SchemeTestKit.checkBodyMAC(scheme, header: "X-WC-Webhook-Signature", secret: secret, body: body) { body, key in
            SchemeTestKit.base64(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }

    @Test func theUnsignedPingIsAnsweredWithExactly200() {
        let ping = SchemeTestKit.post(["Content-Type": "application/x-www-form-urlencoded"], body: "webhook_id=42")
        #expect(
            scheme.unsignedHandshake(ping, credentials: []) == .answer(HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: [])))
        for body in ["webhook_id=", "webhook_id=42&x=1", "webhook_id=" + String(repeating: "9", count: 21), #"{"id":727}"#] {
            #expect(scheme.unsignedHandshake(SchemeTestKit.post([:], body: body), credentials: []) == nil)
        }
        // A signed request is never the ping.
        #expect(
            scheme.unsignedHandshake(SchemeTestKit.post(["X-WC-Webhook-Signature": "x"], body: "webhook_id=42"), credentials: []) == nil)
    }
}
