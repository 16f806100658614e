import Crypto

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
        guard let text = request.header("calendly-webhook-signature") else { return .missing }
        guard text.utf8.count <= SchemeSupport.maxSignatureText else { return .invalid }
        let header = TimestampedHeader(text, separator: ",", timestampName: "t", signatureName: "v1")
        guard let timestamp = header.timestamp else { return .invalid }
        let expected = header.signatures.compactMap { SchemeSupport.hex($0, byteCount: 32) }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: expected, Array("\(timestamp).".utf8), request.body)
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac))
    }
}
