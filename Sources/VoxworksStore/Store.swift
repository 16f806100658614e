import VoxworksCore

import Foundation

/// The seam between the service and its database. Each backend keeps its
/// own SQL; the behaviour suite runs against every backend.
public protocol Store: IngestCommitter, WebhookRoutes, ExecutionStore, DirectoryStore, ConsoleSessionStore, WebhookVerificationStore,
    Sendable
{
    /// Answers when the database can be read; throws when it cannot.
    func checkHealth() async throws
    /// Closes connections; the store cannot be used afterwards.
    func shutdown() async

    // Teams and API keys
    func createTeam(name: String, now: Timestamp) async throws -> Team
    /// Creates the first team only if there is none yet, atomically, so that
    /// several nodes starting at once on one database create one team.
    /// Returns the team it created, or nil when one existed.
    func createFirstTeam(name: String, now: Timestamp) async throws -> Team?
    func teams() async throws -> [Team]
    func createAPIKey(teamID: UUID, keyHash: String, label: String, now: Timestamp) async throws
    /// The team of an unrevoked key, by the key's SHA-256.
    func teamID(forAPIKeyHash hash: String) async throws -> UUID?

    // Automations and their webhooks
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

    // Executions
    func execution(id: UUID, teamID: UUID) async throws -> Execution?
    /// A page of executions, each with an empty `body`: a listing shows no
    /// payload, and must not load up to 100 of them (`execution(id:teamID:)`
    /// has the payload).
    func executions(teamID: UUID, query: ExecutionQuery) async throws -> [Execution]

    // Maintenance
    func queueStats(now: Timestamp) async throws -> QueueStats
    /// Deletes up to `limit` finished executions (and their step logs) that
    /// finished before `before`; returns how many.
    func deleteFinishedExecutions(before: Timestamp, limit: Int) async throws -> Int
    /// Deletes up to `limit` expired idempotency records; returns how many.
    func deleteExpiredIdempotencyRecords(now: Timestamp, limit: Int) async throws -> Int
}

public struct NewAutomation: Sendable {
    public var id: UUID
    public var teamID: UUID
    public var name: String
    public var enabled: Bool
    public var definition: JSONValue
    public var webhookID: UUID
    public var token: String
    public var rateLimit: RateLimit
    /// The raw key of the first signing secret, when signing is on.
    public var signingKey: [UInt8]?

    public init(
        id: UUID, teamID: UUID, name: String, enabled: Bool, definition: JSONValue, webhookID: UUID, token: String, rateLimit: RateLimit,
        signingKey: [UInt8]?
    ) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.enabled = enabled
        self.definition = definition
        self.webhookID = webhookID
        self.token = token
        self.rateLimit = rateLimit
        self.signingKey = signingKey
    }
}

/// A partial update; nil leaves a field as it is.
public struct AutomationPatch: Sendable {
    public var name: String?
    public var enabled: Bool?
    public var definition: JSONValue?
    public var rateLimit: RateLimit?
    /// `false` ends every active secret now. Turning signing on goes through
    /// `rotateSigningSecret`, so that the new secret can be shown once.
    public var disableSigning: Bool

    public init(
        name: String? = nil, enabled: Bool? = nil, definition: JSONValue? = nil, rateLimit: RateLimit? = nil, disableSigning: Bool = false
    ) {
        self.name = name
        self.enabled = enabled
        self.definition = definition
        self.rateLimit = rateLimit
        self.disableSigning = disableSigning
    }
}
