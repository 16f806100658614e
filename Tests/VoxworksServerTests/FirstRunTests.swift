import Foundation
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore

/// What a new user gets on the first start of an empty store, and never again.
@Suite struct FirstRunTests {
    @Test func theFirstStartCreatesATeamAKeyAndAWorkingDemo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-firstrun-\(UUID().uuidString)")
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("v.sqlite").path, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)))
        let first = try await FirstRun.prepare(store: store)
        let key = try #require(first.apiKey)
        #expect(key.hasPrefix("vx_"))
        let teamID = try #require(try await store.teamID(forAPIKeyHash: SecretMaterial.hash(key)))
        let demo = try #require(first.automations.first)
        #expect(first.automations.count == 1)
        #expect(demo.teamID == teamID && demo.enabled && !demo.webhook.signing)
        try AutomationDefinition.validate(demo.definition)
        #expect(AutomationDefinition.stepCount(demo.definition) == 4)

        var configuration = ServerConfiguration()
        configuration.port = 9999
        let banner = FirstRun.banner(first, configuration: configuration)
        #expect(banner.contains(key))
        #expect(banner.contains("Web console: http://127.0.0.1:9999/app"))
        #expect(banner.contains("curl -i -X POST 'http://127.0.0.1:9999/api/v1/hooks/\(demo.webhook.token)'"))

        // Output that is not a terminal: the banner names the key's file instead of the key.
        let filed = FirstRun.banner(first, configuration: configuration, keyFile: "/data/first-api-key")
        #expect(!filed.contains(key))
        #expect(filed.contains("it is in /data/first-api-key (mode 0600)"))

        // A later start shows neither a key nor a webhook URL (a URL holds
        // its token, and start-up output ends up in logs); `voxworks
        // webhooks` lists the URLs on request.
        let later = try await FirstRun.prepare(store: store)
        #expect(later.apiKey == nil)
        #expect(later.automations.map(\.id) == [demo.id])
        let laterBanner = FirstRun.banner(later, configuration: configuration)
        #expect(!laterBanner.contains("vx_"))
        #expect(!laterBanner.contains(demo.webhook.token))
        #expect(!laterBanner.contains("/api/v1/hooks/"))
        #expect(laterBanner.contains("1 automation. `voxworks webhooks` lists their webhook URLs."))
        let listing = FirstRun.webhookList(later.automations, configuration: configuration)
        #expect(listing == "Demo: new lead: http://127.0.0.1:9999/api/v1/hooks/\(demo.webhook.token)")
        #expect(try await store.teams().count == 1)
    }
}
