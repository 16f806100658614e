import Foundation

public struct Automation: Sendable, Hashable {
    public var id: UUID
    public var teamID: UUID
    public var name: String
    public var enabled: Bool
    public var definition: JSONValue
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var webhook: Webhook

    public init(
        id: UUID, teamID: UUID, name: String, enabled: Bool, definition: JSONValue, createdAt: Timestamp, updatedAt: Timestamp,
        webhook: Webhook
    ) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.enabled = enabled
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.webhook = webhook
    }
}

/// The webhook of an automation (one each) as the management API shows it.
public struct Webhook: Sendable, Hashable {
    public var id: UUID
    public var token: String
    public var rateLimit: RateLimit
    /// Whether at least one signing secret is active.
    public var signing: Bool

    public init(id: UUID, token: String, rateLimit: RateLimit, signing: Bool) {
        self.id = id
        self.token = token
        self.rateLimit = rateLimit
        self.signing = signing
    }
}

/// What the ingest path needs to know about a token, resolved in one lookup.
public struct WebhookRoute: Sendable {
    public var webhookID: UUID
    public var automationID: UUID
    public var teamID: UUID
    public var rateLimit: RateLimit
    /// Raw HMAC keys of the active secrets (two while a rotation is in its grace period).
    public var signingKeys: [[UInt8]]

    public init(webhookID: UUID, automationID: UUID, teamID: UUID, rateLimit: RateLimit, signingKeys: [[UInt8]]) {
        self.webhookID = webhookID
        self.automationID = automationID
        self.teamID = teamID
        self.rateLimit = rateLimit
        self.signingKeys = signingKeys
    }
}
