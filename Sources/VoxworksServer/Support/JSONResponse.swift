import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

/// Every response is `application/json`, written by one serializer.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, text: value.serialized, headers: headers)
    }

    static func make(_ status: HTTPResponse.Status, text: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    /// Header names written as literals. They are valid tokens, so the
    /// fallback is never taken (a test checks every one); it exists so that
    /// no request path can trap.
    static func named(_ text: String) -> HTTPField.Name {
        HTTPField.Name(text) ?? .via
    }

    static let requestID = named("X-Request-Id")
    static let rateLimitLimit = named("X-RateLimit-Limit")
    static let rateLimitRemaining = named("X-RateLimit-Remaining")
    static let webhookSignature = named("X-Webhook-Signature")
    static let webhookTimestamp = named("X-Webhook-Timestamp")
    static let xIdempotencyKey = named("X-Idempotency-Key")
    static let idempotencyKey = named("Idempotency-Key")
    static let idempotentReplayed = named("Idempotent-Replayed")
    static let standardWebhookID = named("webhook-id")
    static let standardWebhookTimestamp = named("webhook-timestamp")
    static let standardWebhookSignature = named("webhook-signature")
}
