/// Every scheme by name: the one place that turns a `SchemeName` and its
/// settings into a scheme value. The switch is exhaustive, so a new case in
/// `SchemeName` does not compile until it has a scheme.
public enum SchemeCatalog {
    /// The scheme for a name with its settings, or why the settings are
    /// unusable (e.g. `hmac needs "header"`), as a message for a `400`.
    public static func scheme(_ name: SchemeName, settings: VerificationSettings) throws(SchemeSettingsError) -> any VerificationScheme {
        try SchemeSupport.checkTolerance(settings)
        switch name {
        case .voxworks: return VoxworksScheme(settings: settings)
        case .standardWebhooks: return StandardWebhooksScheme(settings: settings)
        case .stripe: return StripeScheme(settings: settings)
        case .github: return GitHubScheme()
        case .gitlab: return GitLabScheme()
        case .bitbucket: return BitbucketScheme()
        case .shopify: return ShopifyScheme()
        case .slack: return SlackScheme(settings: settings)
        case .twilio:
            try SchemeSupport.checkURL(settings)
            return TwilioScheme()
        case .sendgrid: return SendGridScheme(settings: settings)
        case .mailgun: return MailgunScheme(settings: settings)
        case .hubspot:
            try SchemeSupport.checkURL(settings)
            return HubSpotScheme(settings: settings)
        case .zoom: return ZoomScheme(settings: settings)
        case .square:
            try SchemeSupport.checkURL(settings)
            return SquareScheme()
        case .paddle: return PaddleScheme(settings: settings)
        case .lemonsqueezy: return LemonSqueezyScheme()
        case .typeform: return TypeformScheme()
        case .calendly: return CalendlyScheme(settings: settings)
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
        }
    }
}

/// Settings a scheme cannot work with; the message names the field.
public struct SchemeSettingsError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
