import Foundation

/// X (Twitter) Account Activity API: `x-twitter-webhooks-signature:
/// sha256=<base64>`, HMAC-SHA256 of the raw body keyed with the app's
/// consumer secret (API Key Secret) as UTF-8 (Developer Portal → the app →
/// Keys and tokens).
///
/// Handshake: the challenge-response check `GET ?crc_token=T` is answered
/// `{"response_token":"sha256=<base64 HMAC-SHA256(secret, T)>"}` with the
/// newest secret.
/// Delivery id: none; X sends no delivery id.
public struct XScheme: VerificationScheme {
    public var name: SchemeName { .x }
    public var answersGET: Bool { true }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-twitter-webhooks-signature"), prefix: "sha256=", encoding: .base64, algorithm: .sha256,
            body: request.body, keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        guard request.method == .get, let token = request.queryValue("crc_token") else { return nil }
        // X computes the answer with the current consumer secret: the newest one.
        guard let key = SchemeCrypto.utf8Secrets(credentials).first else {
            return .refused(status: 403, message: "No consumer secret to answer the CRC check")
        }
        return .answer(.json(#"{"response_token":"\#(Self.responseToken(crcToken: token, key: key))"}"#))
    }

    /// `sha256=` + base64 HMAC-SHA256(secret, token): only base64 characters,
    /// so it needs no JSON escaping.
    static func responseToken(crcToken: String, key: [UInt8]) -> String {
        "sha256=" + Data(SchemeCrypto.Algorithm.sha256.code(for: Array(crcToken.utf8), key: key)).base64EncodedString()
    }
}
