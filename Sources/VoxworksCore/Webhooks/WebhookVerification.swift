/// A webhook's verification scheme and its non-secret settings: what the
/// store keeps beside the sealed credentials, and what responses show.
public struct WebhookVerification: Sendable, Hashable {
    public var scheme: SchemeName
    public var settings: VerificationSettings

    public init(scheme: SchemeName, settings: VerificationSettings = VerificationSettings()) {
        self.scheme = scheme
        self.settings = settings
    }

    /// What a webhook verifies with when it has signing secrets from before
    /// schemes existed (or `"signing": true`): today's `X-Webhook-Signature`.
    public static let voxworks = WebhookVerification(scheme: .voxworks)

    public static func == (lhs: WebhookVerification, rhs: WebhookVerification) -> Bool {
        lhs.scheme == rhs.scheme && lhs.settings == rhs.settings
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        // The settings' JSON lists every field in a fixed order.
        hasher.combine(VerificationSettingsJSON.object(settings))
    }

    /// `{"scheme": …, <non-secret settings>}`: the response shape, and the stored text.
    public var json: JSONValue {
        var object = JSONObject()
        object["scheme"] = .string(scheme.rawValue)
        for member in VerificationSettingsJSON.object(settings) { object[member.key] = member.value }
        return .object(object)
    }

    /// Reads the stored text back; nil when it is not a known scheme's.
    public init?(stored text: String) {
        guard case .object(let object)? = try? JSONParser().parse(text),
            case .string(let name)? = object["scheme"], let scheme = SchemeName(parsing: name),
            let settings = try? VerificationSettingsJSON.settings(from: object, field: "verification")
        else { return nil }
        self.init(scheme: scheme, settings: settings)
    }
}

/// Which body formats a webhook takes (`webhook.accept`), stored as a
/// comma-separated list of the formats' names.
extension BodyFormat {
    public static func stored(_ formats: [BodyFormat]) -> String { formats.map(\.rawValue).joined(separator: ",") }

    public static func parseStored(_ text: String?) -> [BodyFormat]? {
        guard let text, !text.isEmpty else { return nil }
        let formats = text.split(separator: ",").compactMap { BodyFormat(rawValue: String($0)) }
        return formats.isEmpty ? nil : formats
    }
}
