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
        // The second half of the schemes lands on another branch; the lead
        // removes this once both are merged, making the switch exhaustive.
        default: throw SchemeSettingsError("scheme \"\(name.rawValue)\" is not available yet")
        }
    }
}

/// Settings a scheme cannot work with; the message names the field.
public struct SchemeSettingsError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
