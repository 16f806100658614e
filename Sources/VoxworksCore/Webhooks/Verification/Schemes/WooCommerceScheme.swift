/// WooCommerce: `X-WC-Webhook-Signature: <base64>`, HMAC-SHA256 of the raw
/// body keyed with the webhook's secret as UTF-8 (WooCommerce → Settings →
/// Advanced → Webhooks → the webhook → Secret).
///
/// Handshake: when a webhook is saved, WooCommerce POSTs an UNSIGNED ping
/// whose body is `webhook_id=<id>` and only counts it as delivered on
/// exactly `200` (`WC_Webhook::deliver_ping`). That ping is answered `200`
/// with an empty body; it starts nothing, so answering it unsigned gives
/// nothing away.
/// Delivery id: `X-WC-Webhook-Delivery-ID`.
public struct WooCommerceScheme: VerificationScheme {
    public var name: SchemeName { .woocommerce }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-wc-webhook-signature"), encoding: .base64, algorithm: .sha256, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        guard request.method == .post, request.header("x-wc-webhook-signature") == nil, Self.isPing(request.body) else { return nil }
        return .answer(HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: []))
    }

    /// Exactly `webhook_id=` followed by 1–20 digits.
    static func isPing(_ body: [UInt8]) -> Bool {
        let prefix = Array("webhook_id=".utf8)
        guard body.count > prefix.count, body.count <= prefix.count + 20, body.starts(with: prefix) else { return false }
        return body[prefix.count...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        request.header("x-wc-webhook-delivery-id")
    }
}
