import Crypto

/// Discord interactions: `X-Signature-Ed25519: <hex>` is an Ed25519
/// signature of `X-Signature-Timestamp` + the raw body, checked with the
/// application's public key (Developer Portal → the application → General
/// Information → Public Key, 64 hex digits). The timestamp (Unix seconds)
/// is signed, so it must be within the tolerance.
///
/// Handshake: the signed PING `{"type":1}` is answered `{"type":1}` (PONG).
/// Delivery id: the interaction's top-level `id`.
public struct DiscordScheme: VerificationScheme {
    public var name: SchemeName { .discord }
    public var tolerance: Double

    public init(tolerance: Double = Double(VerificationSettings.defaultToleranceSeconds)) {
        self.tolerance = tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let signatureText = request.header("x-signature-ed25519"), let timestamp = request.header("x-signature-timestamp")
        else { return .missing }
        // An Ed25519 signature is 64 bytes.
        guard signatureText.utf8.count == 128, let signature = SignatureVerifier.decodeHex(Substring(signatureText)) else {
            return .invalid
        }
        var message = Array(timestamp.utf8)
        message.append(contentsOf: request.body)
        var matched = false
        for credential in credentials {
            guard let key = Self.publicKey(credential.publicKey) else { continue }
            if key.isValidSignature(signature, for: message) { matched = true }
        }
        guard matched else { return .invalid }
        guard let seconds = SchemeCrypto.unixSeconds(timestamp), SchemeCrypto.isFresh(seconds, nowSeconds: nowSeconds, tolerance: tolerance)
        else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: signature))
    }

    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        guard SchemeSupport.object(request.body)?["type"]?.intValue == 1 else { return nil }
        return .json(#"{"type":1}"#)
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        SchemeCrypto.topLevelString(request.body, "id")
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let text = credential.publicKey, !text.isEmpty else { return "public_key is required" }
        return Self.publicKey(text) == nil ? "public_key must be 64 hex digits (an Ed25519 public key)" : nil
    }

    static func publicKey(_ text: String?) -> Curve25519.Signing.PublicKey? {
        guard let text, text.utf8.count == 64, let raw = SignatureVerifier.decodeHex(Substring(text)) else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}
