import Crypto

/// `shopify`: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(body)>` keyed by
/// the app's client secret (or the store's webhook signing secret for
/// admin-created webhooks) as UTF-8. Only the body is signed.
///
/// Delivery id: `X-Shopify-Webhook-Id` (the same on every retry of one
/// delivery). Not signed.
public struct ShopifyScheme: VerificationScheme {
    public let name = SchemeName.shopify

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-shopify-hmac-sha256") else { return .missing }
        guard let mac = SchemeSupport.base64(Substring(value).trimmingSpaces, byteCount: 32) else { return .invalid }
        return SchemeSupport.firstMatch(SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [mac], request.body) != nil
            ? .verified(signedKey: nil) : .invalid
    }

    public func deliveryID(_ request: InboundRequest) -> String? { request.header("x-shopify-webhook-id") }
}
