import Foundation
import Testing

@testable import VoxworksCore

/// The catalog's half for the first set of schemes, and every one of them
/// against hostile input: absurd headers and bodies never verify, never
/// throw, never trap, and cost little.
@Suite("SchemeCatalog (first half)")
struct SchemeCatalogTests {
    static let names: [SchemeName] = [
        .voxworks, .standardWebhooks, .stripe, .github, .gitlab, .bitbucket, .shopify, .slack, .twilio, .sendgrid, .mailgun,
        .hubspot, .zoom, .square, .paddle, .lemonsqueezy, .typeform, .calendly,
    ]

    /// Every header any of these schemes reads.
    static let headerNames = [
        "x-webhook-signature", "x-webhook-timestamp", "webhook-id", "webhook-timestamp", "webhook-signature", "svix-id",
        "svix-timestamp", "svix-signature", "stripe-signature", "x-hub-signature-256", "x-hub-signature", "x-gitlab-token",
        "x-shopify-hmac-sha256", "x-slack-signature", "x-slack-request-timestamp", "x-twilio-signature",
        "x-twilio-email-event-webhook-signature", "x-twilio-email-event-webhook-timestamp", "x-hubspot-signature-v3",
        "x-hubspot-request-timestamp", "x-zm-signature", "x-zm-request-timestamp", "x-square-hmacsha256-signature",
        "paddle-signature", "x-signature", "typeform-signature", "calendly-webhook-signature",
    ]

    @Test("Each name of this half gives its scheme, with the spec's default bodies and no GET")
    func catalog() throws {
        var built = 0
        for name in Self.names {
            let scheme = try SchemeCatalog.scheme(name, settings: VerificationSettings())
            #expect(scheme.name == name)
            #expect(scheme.answersGET == false)
            let expected: [BodyFormat] =
                switch name {
                case .twilio, .slack, .mailgun: [.json, .form]
                case .sendgrid, .hubspot: [.json, .jsonArray]
                default: [.json]
                }
            #expect(scheme.defaultAccept == expected, "\(name)")
            built += 1
        }
        #expect(built == 18)
    }

    @Test("tolerance_seconds must be positive and at most a week")
    func tolerance() {
        for bad in [0, -5, 604_801] {
            #expect(throws: SchemeSettingsError("tolerance_seconds must be between 1 and 604800")) {
                try SchemeCatalog.scheme(.stripe, settings: VerificationSettings(toleranceSeconds: bad))
            }
        }
        #expect((try? SchemeCatalog.scheme(.stripe, settings: VerificationSettings(toleranceSeconds: 600))) != nil)
    }

    @Test("Every credential check asks for the field the scheme needs")
    func credentialProblems() throws {
        var checked = 0
        for name in Self.names {
            let scheme = try SchemeCatalog.scheme(name, settings: VerificationSettings())
            let problem = scheme.problem(with: SchemeCredential())
            #expect(problem == (name == .sendgrid ? "public_key is required" : "secret is required"), "\(name)")
            checked += 1
        }
        #expect(checked == Self.names.count)
    }

    @Test("Hostile input: megabyte headers, bad encodings, absurd timestamps, no credentials: never verified, never slow")
    func hostileInput() throws {
        let huge = String(repeating: "A", count: 1 << 20)
        let values = [
            huge, "", "=", ",,,,", "t=,v1=", "ts=;h1=", "v0=zz", "sha256=" + String(repeating: "g", count: 64),
            "v1,!!!!", "t=99999999999999999999999999,v1=" + String(repeating: "0", count: 64), "t=nan,v1=00", "t=1e9,v1=00",
            "sha256=" + huge, "MEUCIQ" + huge,
        ]
        let bodies = [
            "", "{", #"{"signature":{"timestamp":"x","token":"y","signature":"z"}}"#, "a=%zz&b", String(repeating: "[", count: 100_000),
        ]
        let credentials: [[SchemeCredential]] = [
            [], [SchemeCredential(secret: "s")], [SchemeCredential(secret: "whsec_AAAA", publicKey: "AAAA")],
            [SchemeCredential(publicKey: huge)],
        ]
        let clock = ContinuousClock()
        let started = clock.now
        var observed = 0
        for name in Self.names {
            let scheme = try SchemeCatalog.scheme(name, settings: VerificationSettings())
            for value in values {
                let headers = Self.headerNames.map { (name: $0, value: value) }
                for body in bodies {
                    let request = InboundRequest(
                        method: .post, url: "https://h.example:99999999999999/" + value.prefix(64), headers: headers,
                        query: [(name: "bodySHA256", value: value)], body: Array(body.utf8))
                    for credential in credentials {
                        let outcome = scheme.verify(request, credentials: credential, nowSeconds: 1_700_000_000)
                        if case .verified = outcome {
                            Issue.record("\(name) verified hostile input \(value.prefix(40)) / \(body.prefix(40))")
                        }
                        _ = scheme.signedHandshake(request, credentials: credential)
                        _ = scheme.deliveryID(request)
                        observed += 1
                    }
                }
            }
        }
        #expect(observed == Self.names.count * values.count * bodies.count * credentials.count)
        // Generous for a loaded 2-core machine: the whole sweep is ~5000
        // requests; quadratic work on a megabyte header would take minutes.
        #expect(clock.now - started < .seconds(120))
    }
}
