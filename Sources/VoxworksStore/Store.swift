import VoxworksCore

import Foundation

/// The seam between the service and its database: every narrow protocol,
/// one per aggregate, which each backend implements whole (each with its
/// own SQL; the behaviour suite runs against every backend). A consumer
/// takes only the protocols it uses.
public protocol Store: IngestCommitter, WebhookRoutes, ExecutionStore, ExecutionLookup, DirectoryStore, ConsoleSessionStore, APIKeyStore,
    AutomationStore, MaintenanceStore, ExecutionOverviewStore, BulkReplayStore, RequestLogStore,
    WebhookVerificationStore, Sendable
{
    /// Closes connections; the store cannot be used afterwards.
    func shutdown() async
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
