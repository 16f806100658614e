/// What the hook path needs to verify a webhook's requests, resolved once
/// when the route is read (and cached with it): the scheme value built from
/// its settings, and the active credentials, unsealed, newest first. A
/// request then costs no database read and no parsing of settings.
public struct RouteVerification: Sendable {
    public var scheme: any VerificationScheme
    /// At most two (the newest, and the previous one during its grace period).
    public var credentials: [SchemeCredential]
    /// The URL the provider signs, when the scheme's `url` setting names one.
    public var url: String?

    public init(scheme: any VerificationScheme, credentials: [SchemeCredential], url: String? = nil) {
        self.scheme = scheme
        self.credentials = credentials
        self.url = url
    }

    /// The scheme for stored settings. Settings that no longer build a
    /// scheme (a scheme removed, or stricter validation after an upgrade)
    /// give one that refuses every request: failing closed, never open.
    public static func resolve(_ verification: WebhookVerification, credentials: [SchemeCredential]) -> RouteVerification {
        let scheme: any VerificationScheme
        do {
            scheme = try SchemeCatalog.scheme(verification.scheme, settings: verification.settings)
        } catch {
            scheme = RefusingScheme(name: verification.scheme)
        }
        return RouteVerification(scheme: scheme, credentials: credentials, url: verification.settings.url)
    }

    /// For a webhook whose stored verification cannot be read: every request is refused.
    public static func refusingAll() -> RouteVerification {
        RouteVerification(scheme: RefusingScheme(name: .voxworks), credentials: [])
    }
}

/// Stands in for a scheme whose stored settings cannot be used: every
/// request is `401 Invalid webhook signature`.
struct RefusingScheme: VerificationScheme {
    let name: SchemeName

    func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome { .invalid }
}
