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
        switch StripeStyleSignature.match(
            request, header: "stripe-signature", credentials: credentials, nowSeconds: nowSeconds, tolerance: tolerance)
        {
        case .refused(let outcome): return outcome
        case .matched(let timestamp, let mac):
            return .verified(
                signedKey: SchemeSupport.topLevelID(request.body, member: "id") ?? SchemeSupport.timestampKey(timestamp, mac: mac))
        }
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "id") }
}
