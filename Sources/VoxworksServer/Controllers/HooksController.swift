import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
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
    /// `<public URL>/api/v1/hooks/`, made once: a verifying scheme is
    /// handed the URL called with every request, and building it from the
    /// configuration each time showed in the ingest profile.
    private let hooksURL: String

    init(
        ingest: IngestService, configuration: ServerConfiguration, clock: @escaping @Sendable () -> Timestamp, notFound: AddressThrottle,
        requestLog: RequestLogRecorder
    ) {
        self.ingest = ingest
        self.configuration = configuration
        self.clock = clock
        self.notFound = notFound
        self.requestLog = requestLog
        hooksURL = configuration.webhookURL(token: "")
    }

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.post("/api/v1/hooks/:token", use: receive)
        router.get("/api/v1/hooks/:token", use: receiveGET)
    }

    /// `GET`: only the handshakes of schemes that answer one (Meta's
    /// `hub.challenge`, X's CRC). Every other GET is `405` with `Allow:
    /// POST`, as before, whether or not the token exists, so a GET tells a
    /// token guesser nothing.
    /// Recorded in the request log as a POST is, once the token is known.
    @Sendable func receiveGET(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        try await requestLog.observe(request, context: context) { trace in try await handleGET(request, context: context, trace: &trace) }
    }

    func handleGET(_ request: Request, context: VoxworksRequestContext, trace: inout RequestTrace) async throws -> Response {
        let now = clock()
        let admission: IngestService.Admission
        do {
            let route = try await ingest.route(token: context.parameters.get("token"), now: now)
            trace.route = route
            admission = try await ingest.admit(route, now: now)
        } catch IngestRefusal.notFound {
            throw APIError.hookMethodNotAllowed
        } catch let refusal as IngestRefusal {
            throw APIError(refusal: refusal)
        }
        guard admission.route.verification?.scheme.answersGET == true else { throw APIError.hookMethodNotAllowed }
        let rateHeaders = APIError.rateHeaders(admission.rate)
        var delivery = IngestService.Delivery(
            body: [], contentType: nil, keyHeaders: [], sourceAddress: context.remoteAddress)
        delivery.method = .get
        Self.describe(request, into: &delivery, url: hooksURL + (context.parameters.get("token") ?? ""))
        do {
            switch try await ingest.receive(delivery, admission: admission, now: now) {
            case .handshake(let answer): return Self.response(answer, headers: rateHeaders)
            case .ingested: throw APIError.hookMethodNotAllowed
            }
        } catch let refusal as IngestRefusal {
            throw APIError(refusal: refusal).adding(rateHeaders)
        }
    }

    /// What a verifying scheme reads: every header, the query, the URL called.
    static func describe(_ request: Request, into delivery: inout IngestService.Delivery, url: String) {
        delivery.headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let query = request.uri.query, !query.isEmpty {
            delivery.rawQuery = query
            delivery.query = FormURLEncoded.decode(Array(query.utf8)) ?? []
        }
        delivery.publicURL = url
    }

    /// A handshake's answer, as the scheme wrote it.
    static func response(_ answer: HandshakeAnswer, headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = answer.contentType
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
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
            var delivery = IngestService.Delivery(
                body: body,
                contentType: request.headers[.contentType],
                keyHeaders: [request.headers[.xIdempotencyKey], request.headers[.idempotencyKey], request.headers[.standardWebhookID]],
                sourceAddress: context.remoteAddress)
            delivery.requestLog = requestLog.handOff(request, arrived: trace.started)
            // Only a webhook that verifies reads every header and the query.
            if admission.route.verification != nil {
                Self.describe(request, into: &delivery, url: hooksURL + (context.parameters.get("token") ?? ""))
            }
            var headers = rateHeaders
            let outcome: IngestOutcome
            switch try await ingest.receive(delivery, admission: admission, now: now) {
            case .handshake(let answer): return Self.response(answer, headers: headers)
            case .ingested(let ingested): outcome = ingested
            }
            switch outcome {
            case .accepted(let id):
                trace.executionID = id
                trace.keptWithExecution = true
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
