/// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>`,
/// HMAC-SHA256 of message id + timestamp + raw body (concatenated without
/// separators) keyed with the subscription's `secret` as UTF-8 (the secret
/// the subscriber chose when creating the subscription, 10–100 ASCII
/// characters). `Twitch-Eventsub-Message-Timestamp` is RFC 3339; Twitch
/// tells receivers to refuse messages older than 10 minutes, so that is
/// the default tolerance here unless `tolerance_seconds` is set.
///
/// Handshake: `Twitch-Eventsub-Message-Type: webhook_callback_verification`
/// is answered `200` with the body's `challenge` as text.
/// Delivery id: `Twitch-Eventsub-Message-Id` (signed, so it is also the
/// signed key; Twitch resends a message with the same id).
public struct TwitchScheme: VerificationScheme {
    public var name: SchemeName { .twitch }
    public var tolerance: Double

    /// Twitch's own replay window: 10 minutes.
    public static let defaultToleranceSeconds = 600

    public init(tolerance: Double = Double(TwitchScheme.defaultToleranceSeconds)) {
        self.tolerance = tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("twitch-eventsub-message-signature"), let id = request.header("twitch-eventsub-message-id"),
            let timestamp = request.header("twitch-eventsub-message-timestamp")
        else { return .missing }
        guard let mac = SchemeCrypto.decodeSignature(value, prefix: "sha256=", encoding: .hex) else { return .invalid }
        var message = Array(id.utf8)
        message.append(contentsOf: timestamp.utf8)
        message.append(contentsOf: request.body)
        guard SchemeCrypto.matchesAny(mac, message: message, keys: SchemeCrypto.utf8Secrets(credentials), algorithm: .sha256) else {
            return .invalid
        }
        guard timestamp.utf8.count <= 64, let time = Timestamp(rfc3339: timestamp),
            SchemeCrypto.isFresh(time.seconds, nowSeconds: nowSeconds, tolerance: tolerance)
        else { return .outsideWindow }
        return .verified(signedKey: id)
    }

    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        guard request.header("twitch-eventsub-message-type") == "webhook_callback_verification",
            let challenge = SchemeSupport.object(request.body)?["challenge"]?.stringValue
        else { return nil }
        return .text(challenge)
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        request.header("twitch-eventsub-message-id")
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let secret = credential.secret, !secret.isEmpty else { return "secret is required" }
        // Twitch refuses subscriptions whose secret is not 10–100 ASCII characters.
        guard (10...100).contains(secret.utf8.count), secret.utf8.allSatisfy({ $0 < 0x80 }) else {
            return "secret must be 10 to 100 ASCII characters, as Twitch requires"
        }
        return nil
    }
}
