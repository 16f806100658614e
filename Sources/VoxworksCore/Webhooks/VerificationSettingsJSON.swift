/// `VerificationSettings` to and from the JSON fields of
/// `webhook.verification` (snake_case names, only the fields that are set).
public enum VerificationSettingsJSON {
    /// The settings' field names, as the API takes them.
    public static let fieldNames = [
        "tolerance_seconds", "url", "username", "header", "algorithm", "encoding", "prefix", "signed", "timestamp_header", "id_header",
    ]

    /// The names of the secret fields (`SchemeCredential`'s), never shown back.
    public static let secretFieldNames = ["secret", "public_key", "password", "value", "verify_token"]

    /// The longest tolerance a webhook may set: a day.
    public static let toleranceRange = 1...86_400

    /// The settings that are set, in a fixed order.
    public static func object(_ settings: VerificationSettings) -> JSONObject {
        var object = JSONObject()
        if let value = settings.toleranceSeconds { object["tolerance_seconds"] = .int(value) }
        let texts: [(String, String?)] = [
            ("url", settings.url), ("username", settings.username), ("header", settings.header), ("algorithm", settings.algorithm),
            ("encoding", settings.encoding), ("prefix", settings.prefix), ("signed", settings.signed),
            ("timestamp_header", settings.timestampHeader), ("id_header", settings.idHeader),
        ]
        for (name, value) in texts {
            if let value { object[name] = .string(value) }
        }
        return object
    }

    /// The settings among an object's members; other members are ignored
    /// here (the API's parser refuses unknown ones). `field` prefixes the
    /// messages, e.g. `webhook.verification`.
    public static func settings(from object: JSONObject, field: String) throws(VerificationInputError) -> VerificationSettings {
        var settings = VerificationSettings()
        switch object["tolerance_seconds"] {
        case nil, .null?: break
        case let value?:
            guard let seconds = value.intValue, toleranceRange.contains(seconds) else {
                throw VerificationInputError(
                    "\(field).tolerance_seconds must be an integer from \(toleranceRange.lowerBound) to \(toleranceRange.upperBound)")
            }
            settings.toleranceSeconds = seconds
        }
        func text(_ name: String) throws(VerificationInputError) -> String? {
            switch object[name] {
            case nil, .null?: return nil
            case .string(let value)?:
                guard !value.isEmpty, value.utf8.count <= 2_048 else {
                    throw VerificationInputError("\(field).\(name) must be 1 to 2048 bytes")
                }
                guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw VerificationInputError("\(field).\(name) must not contain control characters")
                }
                return value
            default: throw VerificationInputError("\(field).\(name) must be a string")
            }
        }
        settings.url = try text("url")
        settings.username = try text("username")
        settings.header = try text("header")
        settings.algorithm = try text("algorithm")
        settings.encoding = try text("encoding")
        // Closed sets, checked here for every scheme: a value no scheme can
        // use is a mistake even where the scheme ignores the field.
        if let algorithm = settings.algorithm, !["sha1", "sha256", "sha512"].contains(algorithm) {
            throw VerificationInputError("\(field).algorithm must be sha1, sha256 or sha512")
        }
        if let encoding = settings.encoding, !["hex", "base64"].contains(encoding) {
            throw VerificationInputError("\(field).encoding must be hex or base64")
        }
        settings.prefix = try text("prefix")
        settings.signed = try text("signed")
        settings.timestampHeader = try text("timestamp_header")
        settings.idHeader = try text("id_header")
        return settings
    }
}

/// A `webhook.verification` the API cannot take; the message names the field.
public struct VerificationInputError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
