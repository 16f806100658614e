import Crypto

/// `paddle` (Paddle Billing): `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=…]`,
/// each `h1` a hex HMAC-SHA256 over `{ts}:{body}`, keyed by the
/// notification destination's secret key (`pdl_ntfset_…`) as UTF-8.
///
/// Delivery id: the event's top-level `event_id` (`evt_…`, kept on
/// retries). The body is signed, so it is the idempotency key.
public struct PaddleScheme: VerificationScheme {
    public let name = SchemeName.paddle
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let text = request.header("paddle-signature") else { return .missing }
        guard text.utf8.count <= SchemeSupport.maxSignatureText else { return .invalid }
        let header = TimestampedHeader(text, separator: ";", timestampName: "ts", signatureName: "h1")
        guard let timestamp = header.timestamp else { return .invalid }
        let expected = header.signatures.compactMap { SchemeSupport.hex($0, byteCount: 32) }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: expected, Array("\(timestamp):".utf8), request.body)
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: deliveryID(request) ?? SchemeSupport.timestampKey(timestamp, mac: mac))
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "event_id") }
}
