import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import VoxworksCore
import VoxworksIngest
import VoxworksRuntime
import VoxworksStore

/// What the webhook handler learnt about a request on its way, for the
/// request log: filled in by `HooksController` as it goes, so that a
/// refusal at any step is recorded with what was known by then.
struct RequestTrace: Sendable {
    /// When the request arrived.
    var started: ContinuousClock.Instant
    /// The automation's route, once the token named one.
    var route: WebhookRoute?
    /// The body, once read.
    var body: [UInt8]?
    /// The execution an accepted request created or replayed.
    var executionID: UUID?
    /// The execution it created was stored with this request's record
    /// (`ExecutionRequestLog`): the writer has nothing left to write.
    var keptWithExecution = false
}

/// The request log's writer (docs/request-log.md). Every request to a
/// token that names an automation is recorded, accepted or refused, with
/// its answer; an unknown token names no team and is not.
///
/// A request that creates an execution is kept with it: its headers are
/// chosen here (`handOff`) and stored by the ingest group commit that
/// writes the execution, so an accepted webhook costs no second row and
/// no hand-off to a writer. Every other request (refused, or an
/// idempotent replay) is recorded here.
///
/// Nothing here waits on the store: the request path chooses and redacts
/// the headers to keep and appends the record to a bounded in-memory
/// queue (a lock and an append; the body is kept by reference), and a
/// background task writes the queue in batches, one transaction each.
/// The headers are chosen at once rather than by the writer: holding
/// every queued request's own header storage until the write (a quarter
/// of a second of requests) cost more than choosing them. By design the
/// log may drop records, each counted in
/// `voxworks_request_log_dropped_total{reason}`: refused requests past
/// `refusedPerSecond` per automation per second (`flood`: a flood of
/// refused requests must not become a flood of writes), records that find
/// the queue full (`queue_full`), and batches the store failed to write
/// (`store_error`). Records still queued when the process stops are lost.
final class RequestLogRecorder: Sendable {
    /// A request as queued; turned into a `RequestRecord` by the writer.
    struct Pending: Sendable {
        var id: UUID?
        // The ids only: a route also holds the webhook's signing keys.
        var teamID: UUID
        var automationID: UUID
        var receivedAt: Timestamp
        var durationMillis: Int
        var status: Int
        var message: String?
        var executionID: UUID?
        var method: String
        /// Chosen and redacted when queued, so that the request's own
        /// headers are not held until the write.
        var headers: [RequestHeader]
        var idempotencyKey: String?
        var contentType: String?
        var body: [UInt8]
        var bodyBytes: Int
        var sourceIP: String?
    }

    enum Admission: Equatable {
        case queued, flood, queueFull
    }

    private struct RefusedCount {
        var second: Int64
        var count: Int
    }

    private struct State: ~Copyable {
        var items: [Pending] = []
        var bytes = 0
        var draining = false
        var refused: [UUID: RefusedCount] = [:]
    }

    static let replayMessage = "Idempotent replay of an earlier request"

    private let state = Mutex(State())
    private let store: any RequestLogStore
    private let settings: RequestLogSettings
    private let metrics: ServiceMetrics
    private let clock: @Sendable () -> Timestamp
    private let logger: Logger
    private let lines: RefusalLogLimiter
    private let ids = UUIDv7Generator()

    init(
        store: any RequestLogStore, settings: RequestLogSettings, metrics: ServiceMetrics, clock: @escaping @Sendable () -> Timestamp,
        logger: Logger
    ) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        lines = RefusalLogLimiter(perSecond: settings.refusalLinesPerSecond)
    }

    /// Runs the webhook handler and records its answer, whatever it is.
    func observe(
        _ request: Request, context: VoxworksRequestContext, _ handle: (inout RequestTrace) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let receivedAt = clock()
        var trace = RequestTrace(started: started)
        do {
            let response = try await handle(&trace)
            let replayed = response.headers[.idempotentReplayed] != nil
            finish(
                request, context: context, trace: trace, receivedAt: receivedAt, started: started, status: Int(response.status.code),
                message: replayed ? Self.replayMessage : nil)
            return response
        } catch {
            let answer = Self.answer(for: error)
            finish(
                request, context: context, trace: trace, receivedAt: receivedAt, started: started, status: Int(answer.status.code),
                message: answer.message)
            throw error
        }
    }

    /// The record of `request`, should it create an execution: stored
    /// with the execution by the same group commit.
    func handOff(_ request: Request, arrived: ContinuousClock.Instant) -> IngestService.RequestLogHandOff {
        IngestService.RequestLogHandOff(
            entry: ExecutionRequestLog(
                method: request.method.rawValue, headers: RequestLogHeaders.select(request.headers), durationMillis: 0, bodyBytes: 0),
            arrived: arrived, bodyBytes: settings.bodyBytes)
    }

    /// The status and message `ContractMiddleware` will answer for `error`.
    static func answer(for error: any Error) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as HTTPError: APIError.fromFramework(error)
        default: APIError.internalError
        }
    }

    private func finish(
        _ request: Request, context: VoxworksRequestContext, trace: RequestTrace, receivedAt: Timestamp, started: ContinuousClock.Instant,
        status: Int, message: String?
    ) {
        let refused = !(200..<300).contains(status)
        guard let route = trace.route else {
            // An unknown token names no team: nothing is recorded, and the
            // line (when debug is on) carries no token.
            if refused, context.logger.logLevel <= .debug, case .log = lines.decide(nowSeconds: receivedAt.millis / 1_000) {
                context.logger.debug(
                    "webhook refused before naming an automation", metadata: ["status": "\(status)", "reason": "\(message ?? "")"])
            }
            return
        }
        // Kept with the execution it created, by the same commit.
        if trace.keptWithExecution { return }
        let elapsed = ContinuousClock.now - started
        let millis = Int(elapsed.components.seconds) * 1_000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        let body = trace.body ?? []
        // A refusal's id is made now, for the log line; a replay gets one when it is written.
        let id: UUID? = refused ? ids.next(nowMillis: UInt64(max(0, receivedAt.millis))) : nil
        let pending = Pending(
            id: id, teamID: route.teamID, automationID: route.automationID, receivedAt: receivedAt, durationMillis: millis, status: status,
            message: message,
            executionID: trace.executionID, method: request.method.rawValue, headers: RequestLogHeaders.select(request.headers),
            idempotencyKey: [HTTPField.Name.xIdempotencyKey, .idempotencyKey, .standardWebhookID].lazy.compactMap { request.headers[$0] }
                .first
                .map { Truncation.text($0, maxBytes: 255) },
            contentType: request.headers[.contentType].map { Truncation.text($0, maxBytes: 255) },
            // Only a body over the cap is copied (its first bytes); a smaller one is shared.
            body: body.count > settings.bodyBytes ? Array(body.prefix(settings.bodyBytes)) : body, bodyBytes: body.count,
            sourceIP: context.remoteAddress)
        let admission = enqueue(pending, refused: refused)
        switch admission {
        case .queued: break
        case .flood: metrics.requestLogDropped(reason: "flood")
        case .queueFull: metrics.requestLogDropped(reason: "queue_full")
        }
        if refused {
            logRefusal(context.logger, route: route, status: status, message: message, id: admission == .queued ? id : nil, at: receivedAt)
        }
    }

    /// Each refused webhook once at `info`, with its reason, status,
    /// automation and request log id (never a header or the body),
    /// at most `refusalLinesPerSecond` lines a second.
    private func logRefusal(_ logger: Logger, route: WebhookRoute, status: Int, message: String?, id: UUID?, at time: Timestamp) {
        guard logger.logLevel <= .info, case .log(let suppressed) = lines.decide(nowSeconds: time.millis / 1_000) else { return }
        if suppressed > 0 {
            logger.info("\(suppressed) refused webhooks not logged", metadata: ["not_logged": "\(suppressed)"])
        }
        var metadata: Logger.Metadata = [
            "status": "\(status)", "reason": "\(message ?? "")", "automation_id": "\(route.automationID.lowercased)",
        ]
        if let id { metadata["request_log_id"] = "\(id.lowercased)" }
        logger.info("webhook refused", metadata: metadata)
    }

    func enqueue(_ pending: Pending, refused: Bool) -> Admission {
        let size = pending.body.count + 512
        let (admission, startDrain) = state.withLock { state -> (Admission, Bool) in
            if refused {
                let second = pending.receivedAt.millis / 1_000
                var count = state.refused[pending.automationID] ?? RefusedCount(second: second, count: 0)
                if count.second != second { count = RefusedCount(second: second, count: 0) }
                guard count.count < settings.refusedPerSecond else { return (.flood, false) }
                count.count += 1
                state.refused[pending.automationID] = count
                // Entries of past seconds carry nothing: drop them when the table grows.
                if state.refused.count > 10_000 { state.refused = state.refused.filter { $0.value.second == second } }
            }
            guard state.items.count < settings.queueCapacity, state.bytes + size <= settings.queueBytes else { return (.queueFull, false) }
            state.items.append(pending)
            state.bytes += size
            guard !state.draining else { return (.queued, false) }
            state.draining = true
            return (.queued, true)
        }
        if startDrain { Task { await self.drain() } }
        return admission
    }

    /// Writes the queue in batches until it is empty (then the next append starts it again).
    private func drain() async {
        var waitFirst = true
        while true {
            // Let a batch build up first: a few large transactions a second
            // instead of many small ones, each of which would take the
            // store's single writer (and, on SQLite, an fsync) from ingest.
            // A full batch already waiting is written at once: a pause per
            // batch would cap the log at batchSize / writeInterval records
            // a second and drop the rest of a faster ingest as queue_full.
            if waitFirst { try? await Task.sleep(for: settings.writeInterval) }
            let (batch, left) = state.withLock { state -> ([Pending], Int) in
                guard !state.items.isEmpty else {
                    state.draining = false
                    return ([], 0)
                }
                let batch = Array(state.items.prefix(settings.batchSize))
                state.items.removeFirst(batch.count)
                state.bytes -= batch.reduce(0) { $0 + $1.body.count + 512 }
                return (batch, state.items.count)
            }
            waitFirst = left < settings.batchSize
            if batch.isEmpty { return }
            let records = batch.map(record)
            do {
                try await store.recordRequests(records)
            } catch {
                metrics.requestLogDropped(reason: "store_error", count: records.count)
                logger.error(
                    "request log write failed", metadata: ["records": "\(records.count)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// The record as stored: headers chosen and redacted, the key read.
    private func record(_ pending: Pending) -> RequestRecord {
        RequestRecord(
            id: pending.id ?? ids.next(nowMillis: UInt64(max(0, pending.receivedAt.millis))), teamID: pending.teamID,
            automationID: pending.automationID, receivedAt: pending.receivedAt, status: pending.status, message: pending.message,
            executionID: pending.executionID, idempotencyKey: pending.idempotencyKey,
            sourceIP: pending.sourceIP, durationMillis: pending.durationMillis, method: pending.method,
            contentType: pending.contentType, headers: pending.headers, body: pending.body, bodyBytes: pending.bodyBytes)
    }

    /// True when nothing is queued or being written (tests wait for it).
    var isIdle: Bool {
        state.withLock { !$0.draining && $0.items.isEmpty }
    }
}
