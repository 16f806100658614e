/// Every scheme by name: the one place that turns a `SchemeName` and its
/// settings into a scheme value. The switch is exhaustive, so a new case in
/// `SchemeName` does not compile until it has a scheme.
public enum SchemeCatalog {
    /// The scheme for a name with its settings, or why the settings are
    /// unusable (e.g. `hmac needs "header"`), as a message for a `400`.
    public static func scheme(_ name: SchemeName, settings: VerificationSettings) throws(SchemeSettingsError) -> any VerificationScheme {
        switch name {
        default: throw SchemeSettingsError("scheme \"\(name.rawValue)\" is not available yet")
        }
    }
}

/// Settings a scheme cannot work with; the message names the field.
public struct SchemeSettingsError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
