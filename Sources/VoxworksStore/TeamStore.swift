import VoxworksCore

import Foundation

/// Teams and the API keys that act for them.
public protocol TeamStore: Sendable {
    func createTeam(name: String, now: Timestamp) async throws -> Team
    /// Creates the first team only if there is none yet, atomically, so that
    /// several nodes starting at once on one database create one team.
    /// Returns the team it created, or nil when one existed.
    func createFirstTeam(name: String, now: Timestamp) async throws -> Team?
    func teams() async throws -> [Team]
    func createAPIKey(teamID: UUID, keyHash: String, label: String, now: Timestamp) async throws
    /// The team of an unrevoked key, by the key's SHA-256.
    func teamID(forAPIKeyHash hash: String) async throws -> UUID?
}
