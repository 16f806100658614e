import Crypto

/// `stripe`: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…][,v0=…]`, each
/// `v1` a hex HMAC-SHA256 over `{t}.{body}`. The key is the whole
/// `whsec_…` signing secret as UTF-8 (not base64-decoded).
///
/// Delivery id: the event's top-level `id` (`evt_…`). The body is signed,
/// so the id is the idempotency key whatever other headers say; Stripe's
/// retries of one event keep it.
public struct StripeScheme: VerificationScheme {
    public let name = SchemeName.stripe
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let text = request.header("stripe-signature") else { return .missing }
        guard text.utf8.count <= SchemeSupport.maxSignatureText else { return .invalid }
        let header = TimestampedHeader(text, separator: ",", timestampName: "t", signatureName: "v1")
        guard let timestamp = header.timestamp else { return .invalid }
        let expected = header.signatures.compactMap { SchemeSupport.hex($0, byteCount: 32) }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: expected, Array("\(timestamp).".utf8), request.body)
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.topLevelID(request.body, member: "id") ?? SchemeSupport.timestampKey(timestamp, mac: mac))
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "id") }
}
