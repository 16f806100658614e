/// Vercel: `x-vercel-signature: <hex>`, HMAC-SHA1 of the raw body keyed
/// with the webhook's secret as UTF-8 (Team Settings → Webhooks; shown once
/// when the webhook is created; for integrations, the client secret).
///
/// Delivery id: the event's top-level `id`.
public struct VercelScheme: VerificationScheme {
    public var name: SchemeName { .vercel }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-vercel-signature"), encoding: .hex, algorithm: .sha1, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        SchemeCrypto.topLevelString(request.body, "id")
    }
}
