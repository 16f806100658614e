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
    static let requestID = Self("X-Request-Id")!
    static let rateLimitLimit = Self("X-RateLimit-Limit")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
    static let webhookSignature = Self("X-Webhook-Signature")!
    static let xIdempotencyKey = Self("X-Idempotency-Key")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let standardWebhookID = Self("webhook-id")!
    static let standardWebhookTimestamp = Self("webhook-timestamp")!
    static let standardWebhookSignature = Self("webhook-signature")!
}
