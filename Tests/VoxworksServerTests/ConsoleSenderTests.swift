import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// The console's Sender: chosen from the list with a pasted secret, never
/// shown again, checked like the API; Test webhook signing as the scheme
/// does (Stripe, GitHub, Slack, Shopify) and saying so where it cannot
/// (Discord, of which the service holds only the public key).
@Suite struct ConsoleSenderTests {
    static let definition = #"{"trigger":{"type":"webhook"},"steps":[]}"#

    static func create(_ browser: inout ConsoleBrowser, scheme: String, credential: String, settings: String = "") async throws
        -> TestResponse
    {
        try await browser.post(
            "/app/automations",
            [
                "name": "From \(scheme)", "definition": definition, "enabled": "on", "scheme": scheme, "credential": credential,
                "verification_settings": settings,
            ])
    }

    @Test(arguments: StoreKind.available)
    func aProvidersSecretIsPastedOnceAndTestWebhookSignsAsItDoes(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let form = try await browser.get("/app/automations/new")
            #expect(form.text.contains("<option value=\"stripe\">Stripe</option>"))
            #expect(form.text.contains("Developers → Webhooks"))
            for (scheme, secret) in [
                ("stripe", "whsec_console_stripe_1"), ("github", "gh-console-secret"), ("slack", "slack-console-secret"),
                ("shopify", "shopify-console-secret"),
            ] {
                let created = try await Self.create(&browser, scheme: scheme, credential: secret)
                #expect(created.status == .seeOther, "\(scheme): \(created.text.prefix(300))")
                let automations = try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 50)
                let automation = try #require(automations.first { $0.name == "From \(scheme)" })
                #expect(automation.webhook.verification?.scheme.rawValue == scheme)
                let page = try await browser.get("/app/automations/\(automation.id.lowercased)")
                #expect(!page.text.contains(secret), "\(scheme): the page shows the secret")
                #expect(!page.text.contains("id=\"cannot_sign\""))
                let edit = try await browser.get("/app/automations/\(automation.id.lowercased)/edit")
                #expect(!edit.text.contains(secret), "\(scheme): the edit form shows the secret")
                #expect(edit.text.contains("<option value=\"\(scheme)\" selected>"))
                let sent = try await browser.post(
                    "/app/automations/\(automation.id.lowercased)/test", ["payload": #"{"id":"evt_\#(scheme)"}"#])
                #expect(sent.status == .seeOther, "\(scheme): Test webhook was refused: \(sent.text.prefix(400))")
            }
            #expect(try await harness.executionCount() == 4)
        }
    }

    @Test func mistakesShowBesideTheSenderAndNothingIsCreated() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let missing = try await Self.create(&browser, scheme: "github", credential: "")
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("id=\"sender_error\""))
            let badKey = try await Self.create(&browser, scheme: "discord", credential: "not-hex")
            #expect(badKey.status == .badRequest)
            #expect(badKey.text.contains("public_key"))
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).isEmpty)
        }
    }

    @Test func testWebhookSaysWhenItCannotSign() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let created = try await Self.create(
                &browser, scheme: "discord", credential: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            #expect(created.status == .seeOther, "\(created.text.prefix(300))")
            let automation = try #require(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).first)
            let page = try await browser.get("/app/automations/\(automation.id.lowercased)")
            #expect(page.text.contains("id=\"cannot_sign\""))
            let sent = try await browser.post("/app/automations/\(automation.id.lowercased)/test", ["payload": "{}"])
            #expect(sent.status == .badRequest)
            #expect(sent.text.contains("cannot sign as Discord"))
            #expect(try await harness.executionCount() == 0)
        }
    }
}
