import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VoxworksCore
import VoxworksStore
import VoxworksRuntime
import VoxworksIngest

/// `POST /api/v1/hooks/{token}`: the HTTP side of `IngestService`. It
/// throttles addresses that draw too many 404s, reads the body (capped, with
/// a deadline) once the token and the rate limit have let the request in,
/// and maps each refusal to the contract's status, message and headers
/// (`APIError(refusal:)`).
struct HooksController {
    let ingest: IngestService
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp
    let notFound: AddressThrottle
    let requestLog: RequestLogRecorder

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.post("/api/v1/hooks/:token", use: receive)
    }

    /// Every answer goes through the request log (`RequestLogRecorder`).
    @Sendable func receive(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        try await requestLog.observe(request, context: context) { trace in try await handle(request, context: context, trace: &trace) }
    }

    func handle(_ request: Request, context: VoxworksRequestContext, trace: inout RequestTrace) async throws -> Response {
        var request = request
        let now = clock()

        // 0. An address (an IPv6 /64) that has drawn too many 404s waits before any lookup.
        if let wait = notFound.blockedFor(context.clientAddress, now: now.seconds) {
            throw APIError.tooManyRequests(
                "Too many requests for unknown webhooks from this address", retryAfter: AddressThrottle.retryAfterHeader(wait), headers: [:]
            )
        }

        // 1 and 2. Token and rate limits.
        let admission: IngestService.Admission
        do {
            let route = try await ingest.route(token: context.parameters.get("token"), now: now)
            trace.route = route
            admission = try await ingest.admit(route, now: now)
        } catch IngestRefusal.notFound {
            notFound.record(context.clientAddress, now: now.seconds)
            throw APIError.webhookNotFound
        } catch let refusal as IngestRefusal {
            throw APIError(refusal: refusal)
        }
        let rateHeaders = APIError.rateHeaders(admission.rate)

        do {
            // 3. The body, read with a hard cap; then 4 to 9.
            let body = try await request.collectBody(
                limit: configuration.maxBodyBytes, context: context, deadline: .seconds(configuration.bodyTimeoutSeconds))
            trace.body = body
            let delivery = IngestService.Delivery(
                body: body,
                contentType: request.headers[.contentType],
                // Read only for a webhook with a secret: the others never check one.
                signature: admission.route.signingKeys.isEmpty
                    ? SignatureHeaders()
                    : SignatureHeaders(
                        webhookSignature: request.headers[.webhookSignature],
                        webhookTimestamp: request.headers[.webhookTimestamp],
                        standardID: request.headers[.standardWebhookID],
                        standardTimestamp: request.headers[.standardWebhookTimestamp],
                        standardSignature: request.headers[.standardWebhookSignature]),
                keyHeaders: [request.headers[.xIdempotencyKey], request.headers[.idempotencyKey], request.headers[.standardWebhookID]],
                sourceAddress: context.remoteAddress)
            var headers = rateHeaders
            switch try await ingest.accept(delivery, admission: admission, now: now) {
            case .accepted(let id):
                trace.executionID = id
                return JSONResponse.make(.accepted, text: Self.acceptedBody(id), headers: headers)
            case .replayed(let id):
                trace.executionID = id
                headers[.idempotentReplayed] = "true"
                return JSONResponse.make(.accepted, text: Self.acceptedBody(id), headers: headers)
            case .conflict:
                throw APIError.idempotencyConflict
            case .backlogFull:
                throw APIError.backlogFull
            }
        } catch let refusal as IngestRefusal {
            throw APIError(refusal: refusal).adding(rateHeaders)
        } catch let error as APIError {
            throw error.adding(rateHeaders)
        } catch {
            context.logger.error("webhook ingest failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.internalError.adding(rateHeaders)
        }
    }

    static func acceptedBody(_ id: UUID) -> String {
        "{\"success\":true,\"execution_id\":\"\(id.lowercased)\"}"
    }
}
