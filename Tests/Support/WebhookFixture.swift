import Foundation
import VoxworksCore
import VoxworksStore

/// A team with one enabled automation (no steps) and its webhook's route:
/// what most store and engine tests start from.
public struct WebhookFixture: Sendable {
    public let team: Team
    public let automation: Automation
    public let route: WebhookRoute

    public struct NoRoute: Error {}

    public static func make(in store: any Store, now: Timestamp = .now(), signingKey: [UInt8]? = nil) async throws -> WebhookFixture {
        let team = try await store.createTeam(name: "T", now: now)
        let automation = try await store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: team.id, name: "A", enabled: true, definition: AutomationDefinition.emptyJSON,
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: signingKey),
            now: now)
        guard let route = try await store.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: now) else { throw NoRoute() }
        return WebhookFixture(team: team, automation: automation, route: route)
    }
}
