import Testing

@testable import VoxworksCore

@Suite("SchemeCatalog (second half)")
struct SchemeCatalogSecondHalfTests {
    static let names: [SchemeName] = [
        .intercom, .linear, .discord, .meta, .twitch, .x, .pagerduty, .sentry, .vercel, .woocommerce, .docusign, .xero, .airtable,
        .asana, .microsoftGraph, .basicAuth, .headerToken, .hmac,
    ]

    /// Settings each scheme needs; the others need none.
    static func settings(for name: SchemeName) -> VerificationSettings {
        switch name {
        case .basicAuth: VerificationSettings(username: "user")
        case .headerToken, .hmac: VerificationSettings(header: "X-Token")
        default: VerificationSettings()
        }
    }

    @Test(arguments: names) func everySchemeIsBuiltUnderItsOwnName(_ name: SchemeName) throws {
        let scheme = try SchemeCatalog.scheme(name, settings: Self.settings(for: name))
        #expect(scheme.name == name)
        // Only the GET handshakes answer GET.
        #expect(scheme.answersGET == (name == .meta || name == .x))
        #expect(scheme.defaultAccept == [.json])
    }

    @Test func settingsErrorsNameTheField() {
        #expect(throws: SchemeSettingsError("basic_auth needs \"username\"")) {
            try SchemeCatalog.scheme(.basicAuth, settings: VerificationSettings())
        }
        #expect(throws: SchemeSettingsError("header_token needs \"header\"")) {
            try SchemeCatalog.scheme(.headerToken, settings: VerificationSettings())
        }
        #expect(throws: SchemeSettingsError("hmac needs \"header\"")) { try SchemeCatalog.scheme(.hmac, settings: VerificationSettings()) }
        // The catalog checks every scheme's tolerance first (merged halves).
        #expect(throws: SchemeSettingsError("tolerance_seconds must be between 1 and 604800")) {
            try SchemeCatalog.scheme(.twitch, settings: VerificationSettings(toleranceSeconds: -5))
        }
    }
}
