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
        case .contentTypeNotAccepted(let accept): self = .badRequest(WebhookBody.contentTypeMessage(accept: accept))
        case .methodNotAllowed: self = .hookMethodNotAllowed
        case .handshakeRefused(let status, let message): self = APIError(HTTPResponse.Status(code: status), message)
        case .handshakeNotIngested:
            self = .badRequest("The webhook answered this request as its sender's handshake; no execution was started")
        }
    }

    /// A method other than POST to a webhook whose scheme answers no GET handshake.
    static var hookMethodNotAllowed: APIError {
        var fields: HTTPFields = [:]
        fields[.allow] = "POST"
        return APIError(.methodNotAllowed, "Method not allowed", headers: fields)
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
