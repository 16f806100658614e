import VoxworksCore

/// What ingestion reads before it accepts a webhook: the route behind a token.
public protocol WebhookRoutes: Sendable {
    /// The webhook behind a token (by the token's SHA-256), only while its
    /// automation is enabled and not deleted.
    func route(tokenHash: String, now: Timestamp) async throws -> WebhookRoute?
}
