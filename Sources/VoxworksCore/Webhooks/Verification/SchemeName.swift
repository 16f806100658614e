/// A sender's verification scheme, by the name `webhook.verification.scheme`
/// takes. Parsed once at the API's edge; aliases name the provider a user
/// knows (`svix`, `clerk`, `resend` all send Standard Webhooks).
public enum SchemeName: String, Sendable, CaseIterable, Codable {
    case voxworks
    case standardWebhooks = "standard_webhooks"
    case stripe, github, gitlab, bitbucket, shopify, slack, twilio, sendgrid, mailgun, hubspot, zoom, square, paddle
    case lemonsqueezy, typeform, calendly, intercom, linear, discord, meta, twitch, x, pagerduty, sentry, vercel
    case woocommerce, docusign, xero, airtable, asana
    case microsoftGraph = "microsoft_graph"
    case basicAuth = "basic_auth"
    case headerToken = "header_token"
    case hmac

    /// Other names a user may write for a scheme.
    public static let aliases: [String: SchemeName] = [
        "svix": .standardWebhooks, "clerk": .standardWebhooks, "resend": .standardWebhooks,
    ]

    /// The scheme a name (or alias) means, or nil.
    public init?(parsing text: String) {
        if let scheme = SchemeName(rawValue: text) {
            self = scheme
        } else if let scheme = Self.aliases[text] {
            self = scheme
        } else {
            return nil
        }
    }
}
