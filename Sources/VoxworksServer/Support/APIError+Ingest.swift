import HTTPTypes
import VoxworksCore
import VoxworksIngest

/// Ingestion's refusals as the contract answers them: one place for the
/// webhook endpoint and the console's Test Webhook.
extension APIError {
    init(refusal: IngestRefusal) {
        switch refusal {
        case .notFound: self = .webhookNotFound
        case .rateLimited(let rate):
            self = .tooManyRequests("Rate limit exceeded", retryAfter: rate.retryAfterHeader, headers: Self.rateHeaders(rate))
        case .teamRateLimited(let rate, let retryAfter):
            self = .tooManyRequests("Team rate limit exceeded", retryAfter: retryAfter, headers: Self.rateHeaders(rate))
        case .bodyTooLarge(let limit): self = .bodyTooLarge(limit: limit)
        case .unsupportedContentType: self = .badRequest("Content-Type must be application/json")
        case .missingSignature: self = .missingSignature
        case .invalidSignature: self = .invalidSignature
        case .signatureOutsideWindow: self = .signatureOutsideWindow
        case .malformedJSON(let reason): self = .badRequest(reason)
        case .invalidIdempotencyKey: self = .badRequest("Idempotency key must be 1 to 255 visible ASCII characters")
        }
    }

    static let backlogFull = tooManyRequests("Too many pending executions for this team; retry later", retryAfter: 10, headers: [:])

    /// `X-RateLimit-Limit` and `X-RateLimit-Remaining` of a webhook's own limit.
    static func rateHeaders(_ rate: RateDecision) -> HTTPFields {
        var fields: HTTPFields = [:]
        fields[.rateLimitLimit] = String(rate.limit)
        fields[.rateLimitRemaining] = String(rate.remaining)
        return fields
    }

    static func tooManyRequests(_ message: String, retryAfter: Int, headers: HTTPFields) -> APIError {
        var fields = headers
        fields[.retryAfter] = String(retryAfter)
        return APIError(.tooManyRequests, message, headers: fields)
    }
}
