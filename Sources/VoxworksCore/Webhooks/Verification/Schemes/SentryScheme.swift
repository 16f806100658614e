/// Sentry integration platform: `Sentry-Hook-Signature: <hex>`,
/// HMAC-SHA256 of the raw body keyed with the integration's client secret
/// as UTF-8 (Settings → Developer Settings → the integration → Credentials
/// → Client Secret).
///
/// Delivery id: the `Request-ID` header Sentry sends with each delivery.
public struct SentryScheme: VerificationScheme {
    public var name: SchemeName { .sentry }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("sentry-hook-signature"), encoding: .hex, algorithm: .sha256, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        request.header("request-id")
    }
}
