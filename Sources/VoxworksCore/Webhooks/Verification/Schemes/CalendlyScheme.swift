/// `calendly` (API v2 webhook subscriptions): `Calendly-Webhook-Signature:
/// t=<unix>,v1=<hex HMAC-SHA256("{t}.{body}")>`, keyed by the
/// subscription's `signing_key` as UTF-8.
///
/// Delivery id: Calendly sends none per delivery; the signed timestamp and
/// MAC are the key.
public struct CalendlyScheme: VerificationScheme {
    public let name = SchemeName.calendly
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        switch StripeStyleSignature.match(
            request, header: "calendly-webhook-signature", credentials: credentials, nowSeconds: nowSeconds, tolerance: tolerance)
        {
        case .refused(let outcome): return outcome
        case .matched(let timestamp, let mac):
            return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac))
        }
    }
}
