/// Any sender that sends a fixed token in a header of the user's choice
/// (`header` in the settings, the credential's `value`), compared in
/// constant time with the whole header value.
///
/// Delivery id: none.
public struct HeaderTokenScheme: VerificationScheme {
    public var name: SchemeName { .headerToken }
    /// Lower-cased, as `InboundRequest` keeps header names.
    public var header: String

    public init(header: String) throws(SchemeSettingsError) {
        guard !header.isEmpty else { throw SchemeSettingsError("header_token needs \"header\"") }
        guard HMACScheme.isHeaderName(header) else {
            throw SchemeSettingsError("header_token \"header\" must be an HTTP header name")
        }
        self.header = header.lowercased()
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header(header) else { return .missing }
        guard value.utf8.count <= SchemeCrypto.maxSignatureLength else { return .invalid }
        let sent = Array(value.utf8)
        var matched = false
        for credential in credentials {
            guard let expected = credential.value, !expected.isEmpty else { continue }
            if SchemeSupport.constantTimeEqual(sent, Array(expected.utf8)) { matched = true }
        }
        return matched ? .verified(signedKey: nil) : .invalid
    }

    public func problem(with credential: SchemeCredential) -> String? {
        (credential.value ?? "").isEmpty ? "value is required" : nil
    }
}
