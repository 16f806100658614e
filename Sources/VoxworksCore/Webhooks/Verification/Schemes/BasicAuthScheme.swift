import Foundation

/// Any sender that can only do HTTP Basic authentication (RFC 7617):
/// `Authorization: Basic base64(username:password)` with `username` from
/// the settings and the credential's `password`, compared in constant time.
///
/// Delivery id: none.
public struct BasicAuthScheme: VerificationScheme {
    public var name: SchemeName { .basicAuth }
    public var username: String

    public init(username: String) throws(SchemeSettingsError) {
        guard !username.isEmpty else { throw SchemeSettingsError("basic_auth needs \"username\"") }
        // RFC 7617: the user-id cannot contain a colon.
        guard !username.contains(":") else { throw SchemeSettingsError("basic_auth \"username\" cannot contain \":\"") }
        self.username = username
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("authorization") else { return .missing }
        let text = Substring(value).drop(while: { $0 == " " || $0 == "\t" })
        // The scheme name is case-insensitive (RFC 7617 section 2).
        guard text.prefix(6).lowercased() == "basic " else { return .missing }
        guard text.utf8.count <= SchemeCrypto.maxSignatureLength else { return .invalid }
        guard let sent = SchemeCrypto.Encoding.base64.decode(SchemeCrypto.trimmed(text.dropFirst(6))) else { return .invalid }
        var matched = false
        for credential in credentials {
            guard let password = credential.password, !password.isEmpty else { continue }
            if SchemeSupport.constantTimeEqual(sent, Array("\(username):\(password)".utf8)) { matched = true }
        }
        return matched ? .verified(signedKey: nil) : .invalid
    }

    public func problem(with credential: SchemeCredential) -> String? {
        (credential.password ?? "").isEmpty ? "password is required" : nil
    }
}
