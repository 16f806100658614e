import Crypto

/// `slack`: `X-Slack-Signature: v0=<hex HMAC-SHA256("v0:{ts}:{body}")>`
/// with `X-Slack-Request-Timestamp: <unix seconds>`, keyed by the app's
/// Signing Secret as UTF-8. Events API bodies are JSON; slash commands and
/// interactivity post forms, so both are accepted by default.
///
/// Delivery id: the Events API's `event_id` (signed, kept across Slack's
/// retries, which add `X-Slack-Retry-Num`). Requests without one (slash
/// commands) are keyed by their signed timestamp and MAC.
///
/// Handshake: the signed `{"type":"url_verification","challenge":C}` is
/// answered `{"challenge":C}`.
public struct SlackScheme: VerificationScheme {
    public let name = SchemeName.slack
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public var defaultAccept: [BodyFormat] { [.json, .form] }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-slack-signature"), let timestamp = request.header("x-slack-request-timestamp") else {
            return .missing
        }
        guard value.hasPrefix("v0="), let expected = SchemeSupport.hex(value.dropFirst(3), byteCount: 32),
            timestamp.utf8.count <= SchemeSupport.maxSignatureText
        else { return .invalid }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], Array("v0:\(timestamp):".utf8),
                request.body)
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: deliveryID(request) ?? SchemeSupport.timestampKey(timestamp, mac: mac))
    }

    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        guard let object = SchemeSupport.object(request.body), object["type"]?.stringValue == "url_verification",
            let challenge = object["challenge"]?.stringValue
        else { return nil }
        return .json("{\"challenge\":" + SchemeSupport.jsonString(challenge) + "}")
    }

    public func deliveryID(_ request: InboundRequest) -> String? { SchemeSupport.topLevelID(request.body, member: "event_id") }
}
