/// Linear: `Linear-Signature: <hex>`, HMAC-SHA256 of the raw body keyed with
/// the webhook's signing secret as UTF-8. The body's `webhookTimestamp`
/// (Unix milliseconds) is covered by the MAC and must be within the
/// tolerance, so a captured delivery cannot be replayed later.
///
/// Delivery id: the `Linear-Delivery` header. The signature fixes the key
/// too: the signed timestamp and MAC (see `VerificationOutcome.verified`).
public struct LinearScheme: VerificationScheme {
    public var name: SchemeName { .linear }
    public var tolerance: Double

    public init(tolerance: Double = Double(VerificationSettings.defaultToleranceSeconds)) {
        self.tolerance = tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("linear-signature") else { return .missing }
        guard let mac = SchemeCrypto.decodeSignature(value, prefix: "", encoding: .hex),
            SchemeCrypto.matchesAny(mac, message: request.body, keys: SchemeCrypto.utf8Secrets(credentials), algorithm: .sha256)
        else { return .invalid }
        // The MAC first, then the window: without the secret nobody learns
        // anything about the window. As Linear's SDK does, a body without
        // `webhookTimestamp` is checked without a window.
        guard let stamp = SchemeSupport.object(request.body)?["webhookTimestamp"] else { return .verified(signedKey: nil) }
        guard let millis = stamp.intValue, SchemeCrypto.isFresh(Double(millis) / 1000, nowSeconds: nowSeconds, tolerance: tolerance)
        else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.timestampKey(String(millis), mac: mac))
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        request.header("linear-delivery")
    }
}
