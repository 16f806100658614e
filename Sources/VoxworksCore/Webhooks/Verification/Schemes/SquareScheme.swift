import Crypto

/// `square`: `x-square-hmacsha256-signature: <base64 HMAC-SHA256>` over
/// `{notification url}{body}`, keyed by the subscription's signature key
/// as UTF-8. The URL is the `url` setting (the notification URL exactly
/// as entered in Square), else the webhook's public URL.
///
/// Delivery id: the event's top-level `event_id` (kept on Square's
/// retries). The body is signed, so it is the idempotency key.
public struct SquareScheme: VerificationScheme {
    public let name = SchemeName.square

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-square-hmacsha256-signature") else { return .missing }
        guard let expected = SchemeSupport.base64(Substring(value).trimmingSpaces, byteCount: 32) else { return .invalid }
        guard
            SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], Array(request.url.utf8), request.body)
                != nil
        else { return .invalid }
        return .verified(signedKey: deliveryID(request))
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "event_id") }
}
