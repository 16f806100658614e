import Crypto

/// `sendgrid` (Event Webhook, signed): `X-Twilio-Email-Event-Webhook-Signature`
/// is a base64 DER ECDSA P-256 signature over SHA-256 of
/// `{timestamp}{body}`, with `X-Twilio-Email-Event-Webhook-Timestamp`.
/// The credential is `public_key`: the base64 DER key SendGrid shows
/// ("Verification Key"). The body is a JSON array of events.
///
/// Delivery id: a batch carries no id of its own (each event has
/// `sg_event_id`); the signed timestamp and the SHA-256 of the signed body
/// are the key, so a captured batch cannot be replayed under a new
/// idempotency header. Not the signature's bytes: an ECDSA signature can be
/// rewritten into another valid one (`s` → `n - s`) without the key.
public struct SendGridScheme: VerificationScheme {
    public let name = SchemeName.sendgrid
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public var defaultAccept: [BodyFormat] { [.json, .jsonArray] }

    static func publicKey(_ text: String) -> P256.Signing.PublicKey? {
        guard let der = SchemeSupport.base64(Substring(text).trimmingSpaces, maxBytes: 512) else { return nil }
        return try? P256.Signing.PublicKey(derRepresentation: der)
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-twilio-email-event-webhook-signature"),
            let timestamp = request.header("x-twilio-email-event-webhook-timestamp")
        else { return .missing }
        guard timestamp.utf8.count <= SchemeSupport.maxSignatureText,
            let der = SchemeSupport.base64(Substring(value).trimmingSpaces, maxBytes: 128),
            let signature = try? P256.Signing.ECDSASignature(derRepresentation: der)
        else { return .invalid }
        var signed = Array(timestamp.utf8)
        signed.append(contentsOf: request.body)
        let valid = credentials.contains { credential in
            guard let key = credential.publicKey.flatMap(Self.publicKey) else { return false }
            return key.isValidSignature(signature, for: signed)
        }
        guard valid else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: Array(SHA256.hash(data: request.body))))
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let key = credential.publicKey, !key.isEmpty else { return "public_key is required" }
        return Self.publicKey(key) == nil ? "public_key must be SendGrid's base64 DER ECDSA P-256 verification key" : nil
    }
}
