/// `voxworks`: today's algorithm, unchanged. `X-Webhook-Signature` (hex,
/// `sha256=` hex or base64 HMAC-SHA256) over the body, or over
/// `timestamp.body` with `X-Webhook-Timestamp`; or the Standard Webhooks
/// headers. The credential's `secret` is the `whsec_` text shown once.
///
/// Delivery id: none of its own; the idempotency headers (`X-Idempotency-Key`,
/// `Idempotency-Key`, `webhook-id`) are the key, unless the signature
/// fixes one (`SignedDelivery.idempotencyKey`: the signed `webhook-id`, or
/// `sig:<timestamp>:<mac>` for a timestamped signature).
public struct VoxworksScheme: VerificationScheme {
    public let name = SchemeName.voxworks
    let verifier: SignatureVerifier

    public init(settings: VerificationSettings = VerificationSettings()) {
        verifier = SignatureVerifier(timestampTolerance: settings.tolerance)
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        let headers = SignatureHeaders(
            webhookSignature: request.header("x-webhook-signature"), webhookTimestamp: request.header("x-webhook-timestamp"),
            standardID: request.header("webhook-id"), standardTimestamp: request.header("webhook-timestamp"),
            standardSignature: request.header("webhook-signature"))
        let keys = credentials.compactMap(\.signingKey)
        switch verifier.check(body: request.body, headers: headers, keys: keys, nowSeconds: nowSeconds) {
        case .verified(let delivery): return .verified(signedKey: delivery.idempotencyKey)
        case .missing: return .missing
        case .invalid: return .invalid
        case .outsideWindow: return .outsideWindow
        }
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let secret = credential.secret, !secret.isEmpty else { return "secret is required" }
        guard let key = SecretMaterial.signingKey(fromDisplay: secret), !key.isEmpty else {
            return "secret must be a whsec_ secret (whsec_ and base64)"
        }
        return nil
    }
}
