/// Every scheme by name: the one place that turns a `SchemeName` and its
/// settings into a scheme value. The switch is exhaustive, so a new case in
/// `SchemeName` does not compile until it has a scheme.
public enum SchemeCatalog {
    /// The scheme for a name with its settings, or why the settings are
    /// unusable (e.g. `hmac needs "header"`), as a message for a `400`.
    public static func scheme(_ name: SchemeName, settings: VerificationSettings) throws(SchemeSettingsError) -> any VerificationScheme {
        switch name {
        case .intercom: return IntercomScheme()
        case .linear: return LinearScheme(tolerance: try SchemeCrypto.tolerance(settings))
        case .discord: return DiscordScheme(tolerance: try SchemeCrypto.tolerance(settings))
        case .meta: return MetaScheme()
        case .twitch:
            return TwitchScheme(tolerance: try SchemeCrypto.tolerance(settings, defaultSeconds: TwitchScheme.defaultToleranceSeconds))
        case .x: return XScheme()
        case .pagerduty: return PagerDutyScheme()
        case .sentry: return SentryScheme()
        case .vercel: return VercelScheme()
        case .woocommerce: return WooCommerceScheme()
        case .docusign: return DocuSignScheme()
        case .xero: return XeroScheme()
        case .airtable: return AirtableScheme()
        case .asana: return AsanaScheme()
        case .microsoftGraph: return MicrosoftGraphScheme()
        case .basicAuth: return try BasicAuthScheme(username: settings.username ?? "")
        case .headerToken: return try HeaderTokenScheme(header: settings.header ?? "")
        case .hmac: return try HMACScheme(settings: settings)
        default: throw SchemeSettingsError("scheme \"\(name.rawValue)\" is not available yet")
        }
    }
}

/// Settings a scheme cannot work with; the message names the field.
public struct SchemeSettingsError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
