/// Intercom: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the raw body keyed
/// with the app's client secret as UTF-8 (Developer Hub → the app → Basic
/// information → Client secret).
///
/// Delivery id: the notification's top-level `id` (`notif_…`), the same on
/// every retry of one notification.
public struct IntercomScheme: VerificationScheme {
    public var name: SchemeName { .intercom }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-hub-signature"), prefix: "sha1=", encoding: .hex, algorithm: .sha1, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        SchemeCrypto.topLevelString(request.body, "id")
    }
}
