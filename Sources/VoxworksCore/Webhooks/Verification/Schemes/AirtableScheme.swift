import Foundation

/// Airtable: `X-Airtable-Content-MAC: hmac-sha256=<hex>`, HMAC-SHA256 of the
/// raw body keyed with the base64-DECODED `macSecretBase64` that Airtable
/// returns once when the webhook is created (`POST /v0/bases/{baseId}/
/// webhooks`); the secret is that base64 text.
///
/// Delivery id: none; a notification only says "fetch the payloads" and
/// carries no id of its own.
public struct AirtableScheme: VerificationScheme {
    public var name: SchemeName { .airtable }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        let keys = credentials.compactMap { Self.key($0.secret) }
        return SchemeCrypto.verifyBodyMAC(
            header: request.header("x-airtable-content-mac"), prefix: "hmac-sha256=", encoding: .hex, algorithm: .sha256,
            body: request.body, keys: keys)
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let secret = credential.secret, !secret.isEmpty else { return "secret is required (the webhook's macSecretBase64)" }
        return Self.key(secret) == nil ? "secret must be the base64 macSecretBase64 Airtable returned" : nil
    }

    static func key(_ secret: String?) -> [UInt8]? {
        guard let secret, !secret.isEmpty, let data = Data(base64Encoded: secret), !data.isEmpty else { return nil }
        return Array(data)
    }
}
