import VoxworksCore

/// What the console tells a user about each sender: its name, which
/// credential to paste, and where the provider's dashboard shows it.
struct SenderGuide: Sendable {
    /// Which field of `webhook.verification` the console's one credential box fills.
    enum Field: String, Sendable {
        case secret
        case publicKey = "public_key"
        case password
        case value
        /// Nothing to paste (Asana hands its secret over in a handshake).
        case none
    }

    let scheme: SchemeName
    let name: String
    let field: Field
    let whereToFind: String
    /// Settings the user should also fill (shown as a hint), e.g. `{"verify_token": "…"}`.
    let settingsHint: String?

    init(_ scheme: SchemeName, _ name: String, _ field: Field, _ whereToFind: String, settings: String? = nil) {
        self.scheme = scheme
        self.name = name
        self.field = field
        self.whereToFind = whereToFind
        self.settingsHint = settings
    }

    /// A sender whose credential is its `secret`.
    init(_ scheme: SchemeName, _ name: String, _ whereToFind: String, settings: String? = nil) {
        self.init(scheme, name, .secret, whereToFind, settings: settings)
    }

    static func guide(for scheme: SchemeName) -> SenderGuide {
        all.first { $0.scheme == scheme } ?? SenderGuide(scheme, scheme.rawValue, "The provider's webhook signing secret.")
    }

    /// In the order the console lists them: the service's own first, then providers by name, then the generic ones.
    static let all: [SenderGuide] = [
        SenderGuide(
            .voxworks, "Voxworks (X-Webhook-Signature)",
            "Leave the box empty and the service makes a secret (shown once after saving), or paste a whsec_ secret you made."),
        SenderGuide(.airtable, "Airtable", "The macSecretBase64 returned when you create the webhook with Airtable's API."),
        SenderGuide(
            .asana, "Asana", .none,
            "Nothing to paste: Asana sends its secret in its first request (X-Hook-Secret), and the service keeps it."),
        SenderGuide(.bitbucket, "Bitbucket", "The Secret you set on the webhook (Repository settings → Webhooks)."),
        SenderGuide(.calendly, "Calendly", "The signing_key you send when you create the webhook subscription with Calendly's API."),
        SenderGuide(
            .discord, "Discord (interactions)", .publicKey,
            "The application's Public Key (Developer Portal → your app → General Information)."),
        SenderGuide(.docusign, "DocuSign Connect", "An HMAC key of the Connect configuration (Admin → Connect → Connect Keys)."),
        SenderGuide(
            .github, "GitHub", "The Secret you type when you add the webhook (Settings → Webhooks); choose Content type application/json."),
        SenderGuide(.gitlab, "GitLab", "The Secret token you type when you add the webhook (Settings → Webhooks)."),
        SenderGuide(
            .hubspot, "HubSpot", "The app's Client secret (developer account → your app → Auth).",
            settings: #"{"url": "<the exact target URL, if not this one>"}"#),
        SenderGuide(.intercom, "Intercom", "The app's Client secret (Developer Hub → your app → Basic information)."),
        SenderGuide(.lemonsqueezy, "Lemon Squeezy", "The Signing secret you type when you create the webhook (Settings → Webhooks)."),
        SenderGuide(.linear, "Linear", "The webhook's Signing secret (Settings → API → Webhooks)."),
        SenderGuide(.mailgun, "Mailgun", "The HTTP webhook signing key (Settings → API Security / Webhooks)."),
        SenderGuide(
            .meta, "Meta (WhatsApp, Messenger, Instagram)", "The App Secret (App Dashboard → App settings → Basic).",
            settings: #"{"verify_token": "<the Verify Token you type in Meta's webhook setup>"}"#),
        SenderGuide(.microsoftGraph, "Microsoft Graph", "The clientState you send when you create the subscription."),
        SenderGuide(.pagerduty, "PagerDuty", "The secret shown once when you add the Generic Webhook (v3) subscription."),
        SenderGuide(.paddle, "Paddle Billing", "The notification destination's Secret key (Developer Tools → Notifications)."),
        SenderGuide(
            .sendgrid, "SendGrid (Event Webhook)", .publicKey,
            "The Verification Key of the Signed Event Webhook (Settings → Mail Settings → Event Webhook)."),
        SenderGuide(.sentry, "Sentry", "The integration's Client Secret (Settings → Developer Settings → your integration)."),
        SenderGuide(
            .shopify, "Shopify",
            "The app's Client secret (app settings), or the key shown under Settings → Notifications → Webhooks for webhooks made in the admin."
        ),
        SenderGuide(.slack, "Slack", "The Signing Secret (api.slack.com → your app → Basic Information → App Credentials)."),
        SenderGuide(
            .square, "Square", "The subscription's Signature key (Developer Console → your app → Webhooks → Subscriptions).",
            settings: #"{"url": "<the notification URL, if not this one>"}"#),
        SenderGuide(
            .standardWebhooks, "Standard Webhooks (Svix, Clerk, Resend…)",
            "The endpoint's Signing Secret (whsec_…) on the provider's webhook endpoint page."),
        SenderGuide(
            .stripe, "Stripe",
            "The endpoint's Signing secret, whsec_… (Developers → Webhooks → your endpoint), or the one `stripe listen` prints."),
        SenderGuide(
            .twilio, "Twilio", "Your account's Auth Token (Console → Account Info).",
            settings: #"{"url": "<the exact URL Twilio calls, if not this one>"}"#),
        SenderGuide(.twitch, "Twitch EventSub", "The secret you send when you create the EventSub subscription."),
        SenderGuide(.typeform, "Typeform", "The Secret you set on the webhook (Connect → Webhooks → Edit)."),
        SenderGuide(
            .vercel, "Vercel",
            "The webhook's secret, shown when you create it (Team Settings → Webhooks), or your integration's Client Secret."),
        SenderGuide(.woocommerce, "WooCommerce", "The webhook's Secret (WooCommerce → Settings → Advanced → Webhooks)."),
        SenderGuide(.x, "X (Account Activity)", "The app's API Key Secret (Developer Portal → your app → Keys and tokens)."),
        SenderGuide(.xero, "Xero", "The Webhooks key (developer portal → your app → Webhooks)."),
        SenderGuide(.zoom, "Zoom", "The Secret Token of your app's event subscriptions (App Marketplace → your app → Features)."),
        SenderGuide(
            .basicAuth, "HTTP Basic auth", .password, "The password the sender sends.", settings: #"{"username": "<the user name>"}"#),
        SenderGuide(
            .headerToken, "A token in a header", .value, "The value the sender puts in the header.", settings: #"{"header": "X-Token"}"#),
        SenderGuide(
            .hmac, "Generic HMAC", "The shared secret.",
            settings: #"{"header": "X-Signature", "algorithm": "sha256", "encoding": "hex", "prefix": "sha256=", "signed": "{body}"}"#),
    ]
}
