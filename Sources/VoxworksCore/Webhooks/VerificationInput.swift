/// `webhook.verification` as a request sends it, parsed once at the API's
/// edge: the scheme, its non-secret settings, and the credential when one
/// of the secret fields was sent.
public struct VerificationInput: Sendable, Equatable {
    public var scheme: SchemeName
    public var settings: VerificationSettings
    /// Nil when the request sent no secret field (a settings-only change).
    public var credential: SchemeCredential?

    public init(scheme: SchemeName, settings: VerificationSettings, credential: SchemeCredential?) {
        self.scheme = scheme
        self.settings = settings
        self.credential = credential
    }

    static let field = "webhook.verification"

    /// Parses the object. Unknown members and unknown schemes are refused
    /// with the nearest known name, so a typo is a `400` that says what was
    /// meant, not a setting silently ignored.
    public static func parse(_ object: JSONObject) throws(VerificationInputError) -> VerificationInput {
        let known = ["scheme"] + VerificationSettingsJSON.fieldNames + VerificationSettingsJSON.secretFieldNames
        for key in object.keys where !known.contains(key) {
            let hint = NearestName.find(key, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
            throw VerificationInputError("\(field) has no field \"\(key)\"\(hint)")
        }
        guard let schemeValue = object["scheme"], !schemeValue.isNull else { throw VerificationInputError("\(field).scheme is required") }
        guard case .string(let name) = schemeValue else { throw VerificationInputError("\(field).scheme must be a string") }
        guard let scheme = SchemeName(parsing: name.lowercased()) else {
            let names = SchemeName.allCases.map(\.rawValue) + SchemeName.aliases.keys.sorted()
            let hint = NearestName.find(name, among: names).map { "; did you mean \"\($0)\"?" } ?? ""
            throw VerificationInputError("\(field).scheme \"\(String(name.prefix(64)))\" is not a known scheme\(hint)")
        }
        let settings = try VerificationSettingsJSON.settings(from: object, field: field)
        var credential = SchemeCredential()
        var sent = false
        func secret(_ name: String) throws(VerificationInputError) -> String? {
            switch object[name] {
            case nil, .null?: return nil
            case .string(let value)?:
                guard !value.isEmpty, value.utf8.count <= 8_192 else {
                    throw VerificationInputError("\(field).\(name) must be 1 to 8192 bytes")
                }
                sent = true
                return value
            default: throw VerificationInputError("\(field).\(name) must be a string")
            }
        }
        credential.secret = try secret("secret")
        credential.publicKey = try secret("public_key")
        credential.password = try secret("password")
        credential.value = try secret("value")
        credential.verifyToken = try secret("verify_token")
        return VerificationInput(scheme: scheme, settings: settings, credential: sent ? credential : nil)
    }
}
