import Crypto

/// `typeform`: `Typeform-Signature: sha256=<base64 HMAC-SHA256(body)>`,
/// keyed by the webhook's secret as UTF-8. Only the body is signed.
///
/// Delivery id: the top-level `event_id` (kept on Typeform's retries). The
/// body is signed, so it is the idempotency key.
public struct TypeformScheme: VerificationScheme {
    public let name = SchemeName.typeform

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("typeform-signature") else { return .missing }
        guard value.hasPrefix("sha256="), let expected = SchemeSupport.base64(value.dropFirst(7), byteCount: 32) else {
            return .invalid
        }
        guard SchemeSupport.firstMatch(SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], request.body) != nil
        else { return .invalid }
        return .verified(signedKey: deliveryID(request))
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "event_id") }
}
