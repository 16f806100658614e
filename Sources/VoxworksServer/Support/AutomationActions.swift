import VoxworksCore
import VoxworksStore

import Foundation

/// Creating automations and rotating their credentials, shared by the API
/// (`AutomationsController`) and the web console. New secrets are returned
/// in their display form (`whsec_…`) to be shown once, never stored as such.
struct AutomationActions {
    let store: any AutomationStore & WebhookVerificationStore
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    /// A new automation with its webhook (and its first signing secret when `signing`).
    func create(
        teamID: UUID, name: String, enabled: Bool, definition: JSONValue, signing: Bool, rateLimit: RateLimit = .webhookDefault
    ) async throws -> (automation: Automation, secret: String?) {
        let now = clock()
        let secret = signing ? SecretMaterial.signingSecret() : nil
        let automation = try await store.createAutomation(
            NewAutomation(
                id: UUID.v7(now: now), teamID: teamID, name: name, enabled: enabled, definition: definition,
                webhookID: UUID.v7(now: now), token: SecretMaterial.webhookToken(), rateLimit: rateLimit, signingKey: secret?.key),
            now: now)
        return (automation, secret?.display)
    }

    /// A new signing secret. The previous one stays valid for the configured
    /// grace period; with `immediately` (signing being turned on) none does.
    func rotateSecret(automationID: UUID, teamID: UUID, immediately: Bool = false) async throws -> (automation: Automation, secret: String)
    {
        let now = clock()
        let secret = SecretMaterial.signingSecret()
        guard
            let automation = try await store.rotateSigningSecret(
                automationID: automationID, teamID: teamID, newKey: secret.key,
                graceUntil: immediately ? now : now.adding(seconds: configuration.secretGraceSeconds), now: now)
        else { throw APIError.notFound("Automation") }
        return (automation, secret.display)
    }

    /// A new webhook token; the old URL stops working at once.
    func rotateToken(automationID: UUID, teamID: UUID) async throws -> Automation {
        guard
            let automation = try await store.rotateToken(
                automationID: automationID, teamID: teamID, newToken: SecretMaterial.webhookToken(), now: clock())
        else { throw APIError.notFound("Automation") }
        return automation
    }
}
