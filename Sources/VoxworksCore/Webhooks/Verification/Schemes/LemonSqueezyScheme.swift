import Crypto

/// `lemonsqueezy`: `X-Signature: <hex HMAC-SHA256(body)>`, keyed by the
/// webhook's signing secret as UTF-8. Only the body is signed.
///
/// Delivery id: none; Lemon Squeezy's events carry no event id (only the
/// object's `data.id`, shared by every event about that object), so the
/// idempotency headers alone are the key.
public struct LemonSqueezyScheme: VerificationScheme {
    public let name = SchemeName.lemonsqueezy

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-signature") else { return .missing }
        guard let expected = SchemeSupport.hex(Substring(value).trimmingSpaces, byteCount: 32) else { return .invalid }
        return SchemeSupport.firstMatch(SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], request.body)
            != nil ? .verified(signedKey: nil) : .invalid
    }
}
