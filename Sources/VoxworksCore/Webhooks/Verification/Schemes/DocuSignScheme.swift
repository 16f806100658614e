/// DocuSign Connect (HMAC security): `X-DocuSign-Signature-1` … `-N`, each
/// base64 HMAC-SHA256 of the raw body with one of the account's Connect
/// HMAC keys, used as UTF-8 text as DocuSign's samples do (Settings →
/// Connect → Connect Keys). Any one header matching any active key is
/// enough (DocuSign signs with every active key, up to 100).
///
/// Delivery id: none; Connect sends no delivery id (a retry carries a new
/// `retryCount` in the body).
public struct DocuSignScheme: VerificationScheme {
    public var name: SchemeName { .docusign }

    /// DocuSign allows at most 100 HMAC keys per account.
    static let maxSignatures = 100

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        let keys = SchemeCrypto.utf8Secrets(credentials)
        var seen = 0
        var matched = false
        for (name, value) in request.headers where name.hasPrefix("x-docusign-signature-") && seen < Self.maxSignatures {
            seen += 1
            guard let mac = SchemeCrypto.decodeSignature(value, prefix: "", encoding: .base64) else { continue }
            if SchemeCrypto.matchesAny(mac, message: request.body, keys: keys, algorithm: .sha256) { matched = true }
        }
        guard seen > 0 else { return .missing }
        return matched ? .verified(signedKey: nil) : .invalid
    }
}
