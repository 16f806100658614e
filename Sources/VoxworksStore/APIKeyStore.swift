import Foundation
import VoxworksCore

/// An API key as listed: never the key itself, only what recognises it.
public struct APIKey: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var name: String
    /// The key's first characters (`vx_` and four more), kept in clear so a
    /// person can tell keys apart; nil for keys made before prefixes were kept.
    public var prefix: String?
    public var createdAt: Timestamp
    /// Updated at most once a minute per key (see `APIKeyUsage`), so it can
    /// lag by that much.
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: UUID, teamID: UUID, name: String, prefix: String?, createdAt: Timestamp, lastUsedAt: Timestamp?, revokedAt: Timestamp?
    ) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// How many characters of a key its prefix keeps: `vx_` and four of the
    /// 43 random ones, far too few to help a guesser.
    public static let prefixLength = 7

    public static func prefix(of key: String) -> String { String(key.prefix(prefixLength)) }
}

/// How a revocation by id ended.
public enum APIKeyRevocation: Sendable, Equatable {
    case revoked(APIKey)
    case notFound
    case alreadyRevoked(APIKey)
    /// The key asked to revoke itself while it is the team's only live key:
    /// the team would be locked out of its own API.
    case lastKey
}

/// Teams and their API keys.
public protocol APIKeyStore: Sendable {
    func createTeam(name: String, now: Timestamp) async throws -> Team
    /// Creates the first team only if there is none yet, atomically, so that
    /// several nodes starting at once on one database create one team.
    /// Returns the team it created, or nil when one existed.
    func createFirstTeam(name: String, now: Timestamp) async throws -> Team?
    func teams() async throws -> [Team]
    func createAPIKey(teamID: UUID, keyHash: String, label: String, now: Timestamp) async throws
    /// The team of an unrevoked key, by the key's SHA-256.
    func teamID(forAPIKeyHash hash: String) async throws -> UUID?

    /// Stores a new key by its hash, with its name and prefix.
    func createAPIKey(teamID: UUID, keyHash: String, prefix: String, name: String, now: Timestamp) async throws -> APIKey
    /// A team's keys, revoked ones included, oldest first.
    func apiKeys(teamID: UUID) async throws -> [APIKey]
    /// Revokes a team's key by id, in one transaction with the last-key
    /// check: when `requestedBy` (the hash of the key making the request)
    /// is the key itself and no other key of the team is live, nothing
    /// changes. Its console sessions end with it (they join on live keys).
    func revokeAPIKey(id: UUID, teamID: UUID, requestedBy: String?, now: Timestamp) async throws -> APIKeyRevocation
    /// The id of a team's key by its hash (revoked or not).
    func apiKeyID(forHash hash: String, teamID: UUID) async throws -> UUID?
    /// Records that a key was used at `now` (callers throttle: `APIKeyUsage`).
    func touchAPIKey(keyHash: String, now: Timestamp) async throws
}
