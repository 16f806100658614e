import Foundation
import VoxworksCore

/// A signed-in browser of the web console. The cookie holds a random token;
/// the store holds only its SHA-256, so a copy of the database cannot be
/// used to sign in.
public struct ConsoleSession: Sendable, Equatable {
    /// SHA-256 (hex) of the cookie's token.
    public var tokenHash: String
    public var teamID: UUID
    /// SHA-256 of the API key used to sign in: revoking or deleting the key ends the session.
    public var apiKeyHash: String
    /// Every console form carries it; compared in constant time.
    public var csrfToken: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(tokenHash: String, teamID: UUID, apiKeyHash: String, csrfToken: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.teamID = teamID
        self.apiKeyHash = apiKeyHash
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What the web console stores besides what the API already does: its
/// sessions (in the store, so that they survive a restart and work on every
/// node), and a payload kept as an automation's sample.
public protocol ConsoleSessionStore: Sendable {
    /// Stores a new session; expired sessions are deleted on the way.
    func createConsoleSession(_ session: ConsoleSession) async throws
    /// The session behind a token hash while it is unexpired and its API key is neither revoked nor deleted.
    func consoleSession(tokenHash: String, now: Timestamp) async throws -> ConsoleSession?
    func deleteConsoleSession(tokenHash: String) async throws
    /// Revokes an API key by its hash (its console sessions end with it); false when there is no such live key.
    func revokeAPIKey(keyHash: String, now: Timestamp) async throws -> Bool
    /// Keeps `body` as the automation's sample, as if its webhook had just received it; false when the automation is not the team's.
    func saveSample(automationID: UUID, teamID: UUID, body: [UInt8], receivedAt: Timestamp) async throws -> Bool
}
