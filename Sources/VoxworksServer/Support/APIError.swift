import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

/// Every error a client can see: a status and one sentence, rendered as the
/// contract's `{"success":false,"message":…}`. Anything that is not an
/// `APIError` becomes `500 Internal server error` in `ContractMiddleware`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields

    /// A message is cut to this many bytes ("… N more bytes"): some quote
    /// what a client sent (a key path, a definition's text), and one request
    /// must not be echoed back, or logged, whole.
    public static let maxMessageBytes = 1_024

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = Truncation.text(message, maxBytes: Self.maxMessageBytes)
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(status, .object(["success": false, "message": .string(message)]), headers: headers)
    }

    public static let webhookNotFound = APIError(.notFound, "Webhook not found")
    public static let invalidAPIKey = APIError(.unauthorized, "Invalid API key")
    public static let missingSignature = APIError(.unauthorized, "Missing webhook signature")
    public static let invalidSignature = APIError(.unauthorized, "Invalid webhook signature")
    public static let signatureOutsideWindow = APIError(.unauthorized, "Webhook timestamp outside the allowed window")
    public static let idempotencyConflict = APIError(.conflict, "Idempotency key was already used with a different payload")
    public static let internalError = APIError(.internalServerError, "Internal server error")
    public static let storeUnavailable = APIError(.serviceUnavailable, "Store is unavailable")
    public static let malformedBody = APIError(.badRequest, "The request body is malformed (invalid chunked encoding)")

    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "Request body is larger than the limit of \(limit) bytes")
    }

    public static func notFound(_ what: String) -> APIError { APIError(.notFound, "\(what) not found") }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// The message for a status Hummingbird itself raised (unknown route, wrong method…).
    static func fromFramework(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, "Not found")
        case .methodNotAllowed: APIError(.methodNotAllowed, "Method not allowed")
        case .contentTooLarge: APIError(.contentTooLarge, "Request body is too large")
        case let status where status.kind == .clientError:
            APIError(status, error.body.flatMap { $0.isEmpty ? nil : $0 } ?? status.reasonPhrase)
        default: .internalError
        }
    }

    /// Adds headers (rate-limit state) that must ride on an error as well.
    func adding(_ extra: HTTPFields) -> APIError {
        var copy = self
        copy.headers.append(contentsOf: extra)
        return copy
    }
}
