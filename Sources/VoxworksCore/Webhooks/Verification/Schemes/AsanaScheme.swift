/// Asana: `X-Hook-Signature: <hex>`, HMAC-SHA256 of the raw body keyed with
/// the secret Asana sent in the handshake, as UTF-8.
///
/// Handshake: creating a webhook makes Asana POST an `X-Hook-Secret: S`
/// header; the answer echoes it (`200`, `X-Hook-Secret: S`) and S becomes
/// the webhook's secret. The endpoint adopts S only while the webhook has
/// no secret yet, so the header cannot replace a secret later; that is why
/// an asana credential may be saved without a secret.
/// Delivery id: none; Asana sends no delivery id.
public struct AsanaScheme: VerificationScheme {
    public var name: SchemeName { .asana }

    /// Asana's secrets are short hex strings; anything this long or with
    /// control characters is not one and is not echoed.
    static let maxSecretLength = 1024

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-hook-signature"), encoding: .hex, algorithm: .sha256, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        guard request.method == .post, let secret = request.header("x-hook-secret") else { return nil }
        guard !secret.isEmpty, secret.utf8.count <= Self.maxSecretLength, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .refused(status: 400, message: "Invalid X-Hook-Secret")
        }
        return .adoptSecret(secret, HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: [], headers: ["X-Hook-Secret": secret]))
    }

    /// The secret arrives with the handshake, so none is needed up front.
    public func problem(with credential: SchemeCredential) -> String? { nil }
}
