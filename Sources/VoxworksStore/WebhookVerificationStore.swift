import VoxworksCore

import Foundation

/// A webhook's verification scheme, its credentials and the bodies it
/// accepts (`webhook.verification`, `webhook.accept`). Credentials are
/// sealed with the master key like signing secrets; at most two are active.
public protocol WebhookVerificationStore: Sendable {
    /// Applies `change` in one transaction; nil when the automation is not the team's.
    func changeVerification(automationID: UUID, teamID: UUID, change: VerificationChange, now: Timestamp) async throws -> Automation?
    /// Asana's handshake: keeps `credential` as the webhook's secret only
    /// when it has no active credential. False when it already had one.
    func adoptCredential(webhookID: UUID, credential: SchemeCredential, now: Timestamp) async throws -> Bool
}

/// One change to a webhook's verification; each part defaults to "leave it".
public struct VerificationChange: Sendable {
    public enum Scheme: Sendable {
        case keep
        /// Verification off: the scheme is cleared and every credential ends now.
        case off
        case set(WebhookVerification)
    }

    /// What happens to the credentials active before this change.
    public enum Previous: Sendable {
        case keep
        case endNow
        /// Rotation: the newest stays valid until then; any already in a grace period end now.
        case validUntil(Timestamp)
    }

    public enum Accept: Sendable {
        case keep
        /// nil: the scheme's default.
        case set([BodyFormat]?)
    }

    public var scheme: Scheme
    /// Added as the newest active credential.
    public var credential: SchemeCredential?
    public var previous: Previous
    public var accept: Accept

    public init(scheme: Scheme = .keep, credential: SchemeCredential? = nil, previous: Previous = .keep, accept: Accept = .keep) {
        self.scheme = scheme
        self.credential = credential
        self.previous = previous
        self.accept = accept
    }

    public var isEmpty: Bool {
        if case .keep = scheme, credential == nil, case .keep = previous, case .keep = accept { return true }
        return false
    }
}

/// How a credential row is kept, and how the route is assembled from what
/// both stores read.
enum StoredCredential {
    /// A 32-byte key the service generated (`"signing": true`, rotate-secret):
    /// the rows from before schemes existed.
    static let rawKeyFormat = 0
    /// A `SchemeCredential` as JSON.
    static let jsonFormat = 1

    static func seal(_ credential: SchemeCredential, with box: SecretBox) throws -> [UInt8] {
        try box.seal(Array(try JSONEncoder().encode(credential)))
    }

    /// The credential of a row (a raw key reads as its `whsec_` text, what
    /// the voxworks scheme takes), and the raw key when it is one.
    static func open(_ sealed: [UInt8], format: Int, with box: SecretBox) throws -> (credential: SchemeCredential, rawKey: [UInt8]?) {
        let plain = try box.open(sealed)
        if format == jsonFormat {
            return (try JSONDecoder().decode(SchemeCredential.self, from: Data(plain)), nil)
        }
        return (SchemeCredential(secret: "whsec_" + Data(plain).base64EncodedString()), plain)
    }

    /// The scheme a webhook verifies with: the stored one, else voxworks when
    /// it has active credentials (signing secrets from before schemes).
    static func verification(stored: String?, hasCredentials: Bool) -> WebhookVerification? {
        if let stored { return WebhookVerification(stored: stored) ?? .voxworks }
        return hasCredentials ? .voxworks : nil
    }

    static func route(
        base: WebhookRoute, storedVerification: String?, storedAccept: String?, opened: [(credential: SchemeCredential, rawKey: [UInt8]?)]
    ) -> WebhookRoute {
        var route = base
        route.signingKeys = opened.compactMap(\.rawKey)
        let credentials = opened.map(\.credential)
        if let stored = storedVerification, WebhookVerification(stored: stored) == nil {
            // Unreadable settings: refuse every request rather than accept unverified ones.
            route.verification = RouteVerification.refusingAll()
        } else if let verification = verification(stored: storedVerification, hasCredentials: !credentials.isEmpty) {
            route.verification = RouteVerification.resolve(verification, credentials: credentials)
        }
        route.accept = BodyFormat.parseStored(storedAccept) ?? route.verification?.scheme.defaultAccept ?? [.json]
        return route
    }
}
