import VoxworksCore

/// Why ingestion refused a webhook; the HTTP layer maps each to the
/// contract's status and message in one place.
public enum IngestRefusal: Error, Equatable {
    /// No enabled webhook has this token.
    case notFound
    /// The webhook's own rate limit (`rate` is its decision, for the
    /// `X-RateLimit-*` headers).
    case rateLimited(rate: RateDecision)
    /// The team's ceiling; `rate` is the webhook's own (allowed) decision.
    case teamRateLimited(rate: RateDecision, retryAfter: Int)
    case bodyTooLarge(limit: Int)
    case unsupportedContentType
    case missingSignature
    case invalidSignature
    case signatureOutsideWindow
    /// Not one JSON object; the parser's reason, with the byte offset.
    case malformedJSON(String)
    case invalidIdempotencyKey
    /// A Content-Type none of the webhook's `accept` formats takes (the
    /// default, JSON only, keeps `unsupportedContentType`).
    case contentTypeNotAccepted([BodyFormat])
    /// A method other than POST, to a webhook whose scheme answers no GET handshake.
    case methodNotAllowed
    /// A handshake the scheme refused (Meta's wrong `verify_token`: 403).
    case handshakeRefused(status: Int, message: String)
    /// A handshake reached a caller that only ingests (Test Webhook).
    case handshakeNotIngested
}
