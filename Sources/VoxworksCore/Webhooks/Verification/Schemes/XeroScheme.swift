/// Xero: `x-xero-signature: <base64>`, HMAC-SHA256 of the raw body keyed
/// with the webhook key as UTF-8 (developer.xero.com → My Apps → the app →
/// Webhooks → Webhooks key).
///
/// Handshake: Xero's "intent to receive" check sends signed deliveries
/// with an empty `events` array and expects `200` with an empty body for a
/// valid signature and `401` for an invalid one; the valid one is answered
/// here without starting an execution.
/// Delivery id: none; Xero sends no delivery id.
public struct XeroScheme: VerificationScheme {
    public var name: SchemeName { .xero }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-xero-signature"), encoding: .base64, algorithm: .sha256, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        guard let events = SchemeSupport.object(request.body)?["events"]?.arrayValue, events.isEmpty else { return nil }
        return HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: [])
    }
}
