import Crypto

/// `standard_webhooks` (aliases `svix`, `clerk`, `resend`): the Standard
/// Webhooks specification. `webhook-signature` holds space-separated
/// `v1,<base64 HMAC-SHA256>` entries over `{id}.{timestamp}.{body}`; the
/// key is the base64 after `whsec_`. Svix sends the same headers named
/// `svix-id`, `svix-timestamp`, `svix-signature`.
///
/// Delivery id: `webhook-id` (or `svix-id`). It is signed, so it is the
/// idempotency key whatever other headers say; retries keep it.
public struct StandardWebhooksScheme: VerificationScheme {
    public let name = SchemeName.standardWebhooks
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    /// The raw key of a secret: base64 after an optional `whsec_`.
    static func key(_ secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix("whsec_") ? secret.dropFirst(6) : Substring(secret)
        guard let key = SchemeSupport.base64(encoded, maxBytes: 256), !key.isEmpty else { return nil }
        return key
    }

    private func header(_ request: InboundRequest, _ suffix: String) -> String? {
        request.header("webhook-" + suffix) ?? request.header("svix-" + suffix)
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let list = header(request, "signature"), let id = header(request, "id"), let timestamp = header(request, "timestamp")
        else { return .missing }
        guard list.utf8.count <= SchemeSupport.maxSignatureText, id.utf8.count <= 1024, timestamp.utf8.count <= 32 else { return .invalid }
        let expected = list.split(separator: " ").compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix("v1,") else { return nil }
            return SchemeSupport.base64(entry.dropFirst(3), byteCount: 32)
        }
        let keys = credentials.compactMap { $0.secret.flatMap(Self.key) }.map { SymmetricKey(data: $0) }
        guard SchemeSupport.firstMatch(SHA256.self, keys: keys, expected: expected, Array("\(id).\(timestamp).".utf8), request.body) != nil
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: IdempotencyKey.isValid(id) ? id : nil)
    }

    public func deliveryID(_ request: InboundRequest) -> String? { header(request, "id") }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let secret = credential.secret, !secret.isEmpty else { return "secret is required" }
        return Self.key(secret) == nil ? "secret must be whsec_ followed by base64" : nil
    }
}
