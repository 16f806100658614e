import VoxworksCore

import Foundation

/// Automations and their webhooks: what the management API and the
/// console change, and what the start-up listing and audit read.
public protocol AutomationStore: Sendable {
    func createAutomation(_ new: NewAutomation, now: Timestamp) async throws -> Automation
    func automations(teamID: UUID, after: UUID?, limit: Int) async throws -> [Automation]
    /// Every live automation of every team, oldest first (for the start-up listing).
    func allAutomations() async throws -> [Automation]
    /// Every live automation's definition as stored, undecoded (for `DefinitionAudit`,
    /// which must report a corrupt one rather than stop at it).
    func storedDefinitions() async throws -> [(id: String, name: String, text: String)]
    func automation(id: UUID, teamID: UUID) async throws -> Automation?
    func updateAutomation(id: UUID, teamID: UUID, patch: AutomationPatch, now: Timestamp) async throws -> Automation?
    func deleteAutomation(id: UUID, teamID: UUID, now: Timestamp) async throws -> Bool
    func rotateToken(automationID: UUID, teamID: UUID, newToken: String, now: Timestamp) async throws -> Automation?
    /// Adds a secret; secrets active until now stay valid until `graceUntil`,
    /// and any older ones end now, so that at most two are ever active.
    func rotateSigningSecret(automationID: UUID, teamID: UUID, newKey: [UInt8], graceUntil: Timestamp, now: Timestamp) async throws
        -> Automation?
}
