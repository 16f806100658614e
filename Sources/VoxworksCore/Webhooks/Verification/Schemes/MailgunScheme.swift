import Crypto

/// `mailgun`: the signature travels in the body, not a header: JSON
/// webhooks carry `{"signature":{"timestamp","token","signature"},…}`,
/// form webhooks (and routes) the fields `timestamp`, `token`,
/// `signature`. `signature` is hex HMAC-SHA256 over `{timestamp}{token}`
/// keyed by the HTTP webhook signing key as UTF-8. Mailgun signs neither
/// the event data nor the URL; the token is random per request.
///
/// Delivery id: the signed `token` (Mailgun's advice is to refuse a token
/// seen before), so a captured request replays onto the same execution.
/// `deliveryID` is the event's `event-data.id` for JSON bodies.
public struct MailgunScheme: VerificationScheme {
    public let name = SchemeName.mailgun
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public var defaultAccept: [BodyFormat] { [.json, .form] }

    /// `(timestamp, token, signature)` from a JSON or form body.
    static func fields(_ body: [UInt8]) -> (timestamp: String, token: String, signature: String)? {
        if let object = SchemeSupport.object(body) {
            guard let signature = object["signature"]?.objectValue,
                let timestamp = signature["timestamp"].flatMap({ value in value.stringValue ?? value.intValue.map { String($0) } }),
                let token = signature["token"]?.stringValue, let mac = signature["signature"]?.stringValue
            else { return nil }
            return (timestamp, token, mac)
        }
        guard let pairs = FormURLEncoded.decode(body) else { return nil }
        func field(_ name: String) -> String? { pairs.first(where: { $0.name == name })?.value }
        guard let timestamp = field("timestamp"), let token = field("token"), let mac = field("signature") else { return nil }
        return (timestamp, token, mac)
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let fields = Self.fields(request.body) else { return .missing }
        guard fields.timestamp.utf8.count <= 32, let expected = SchemeSupport.hex(fields.signature, byteCount: 32) else {
            return .invalid
        }
        guard
            SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], Array(fields.timestamp.utf8),
                Array(fields.token.utf8)) != nil
        else { return .invalid }
        guard SchemeSupport.isFresh(fields.timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: IdempotencyKey.isValid(fields.token) ? fields.token : nil)
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        guard let id = SchemeSupport.object(request.body)?["event-data"]?.objectValue?["id"]?.stringValue, IdempotencyKey.isValid(id)
        else { return nil }
        return id
    }
}
