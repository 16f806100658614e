import VoxworksCore
import VoxworksRuntime
import VoxworksStore

/// Accepting one webhook, as a use case: the contract's checks in order
/// (token, rate limit, body size, content type, signature, JSON,
/// idempotency, backlog) and the durable group commit. Both the webhook
/// endpoint and the console's Test Webhook call it, so a test from the
/// console meets exactly what a sender's request does. It is split in two
/// because the endpoint reads the body only after the token and the rate
/// limit have let the request in. The body is never parsed before it is
/// authenticated, and nothing is written for a refused request.
public struct IngestService: Sendable {
    /// What the node's configuration decides for every webhook.
    public struct Settings: Sendable {
        public var teamRateLimit: RateLimit
        public var maxBodyBytes: Int
        public var backlogLimit: Int
        public var idempotencyTTL: Double

        public init(teamRateLimit: RateLimit, maxBodyBytes: Int, backlogLimit: Int, idempotencyTTL: Double) {
            self.teamRateLimit = teamRateLimit
            self.maxBodyBytes = maxBodyBytes
            self.backlogLimit = backlogLimit
            self.idempotencyTTL = idempotencyTTL
        }
    }

    /// A webhook let in by its token and the rate limits.
    public struct Admission: Sendable {
        public let route: WebhookRoute
        /// The webhook's own rate decision (for `X-RateLimit-*`).
        public let rate: RateDecision
    }

    /// The request as received, once admitted.
    public struct Delivery: Sendable {
        public var body: [UInt8]
        public var contentType: String?
        /// `X-Idempotency-Key`, `Idempotency-Key`, `webhook-id`, in that order of preference.
        public var keyHeaders: [String?]
        public var sourceAddress: String?
        public var method: InboundRequest.Method = .post
        /// Every header as received, names lower-case; only filled for a
        /// webhook that verifies (the others never look at them).
        public var headers: [(name: String, value: String)] = []
        /// The query parameters received, percent-decoded, and the query as sent.
        public var query: [(name: String, value: String)] = []
        public var rawQuery: String?
        /// The webhook's public URL (without query): what the sender called,
        /// unless the scheme's `url` setting names another.
        public var publicURL: String = ""
        /// What the request log keeps should this request create an
        /// execution; nil when it is not logged (the console's Test Webhook).
        public var requestLog: RequestLogHandOff?

        public init(body: [UInt8], contentType: String?, keyHeaders: [String?], sourceAddress: String?) {
            self.body = body
            self.contentType = contentType
            self.keyHeaders = keyHeaders
            self.sourceAddress = sourceAddress
        }

        /// The request as a scheme sees it.
        func inbound(_ verification: RouteVerification) -> InboundRequest {
            var url = verification.url ?? publicURL
            if let rawQuery, !rawQuery.isEmpty, !url.contains("?") { url += "?" + rawQuery }
            // Assigned, not passed to the initializer, which lower-cases every
            // name again: these are lower-case already (HTTP field names'
            // canonical form), and the hot path should not copy each one.
            var request = InboundRequest(method: method, url: url, headers: [], query: query, body: body)
            request.headers = headers
            return request
        }
    }

    /// The request log's part of a delivery: its entry, completed here
    /// with the body as received when the execution's is converted, and
    /// by the store with the duration since `arrived`.
    public struct RequestLogHandOff: Sendable {
        public var entry: ExecutionRequestLog
        public var arrived: ContinuousClock.Instant
        /// Bytes of a converted body's original that are kept.
        public var bodyBytes: Int

        public init(entry: ExecutionRequestLog, arrived: ContinuousClock.Instant, bodyBytes: Int) {
            self.entry = entry
            self.arrived = arrived
            self.bodyBytes = bodyBytes
        }
    }

    /// What a request to a webhook comes to.
    public enum Answer: Sendable, Equatable {
        /// Ingested (or replayed, or refused by idempotency or the backlog).
        case ingested(IngestOutcome)
        /// A provider's handshake, answered without starting an execution.
        case handshake(HandshakeAnswer)
    }

    let routes: any WebhookRoutes
    /// Where Asana's handshake keeps the secret it hands over.
    let credentials: (any WebhookVerificationStore)?
    let writer: IngestWriter
    let limiter: any RateLimiter
    let ids: UUIDv7Generator
    public let settings: Settings
    let parser = JSONParser()

    public init(
        routes: any WebhookRoutes, writer: IngestWriter, limiter: any RateLimiter, ids: UUIDv7Generator = UUIDv7Generator(),
        settings: Settings, credentials: (any WebhookVerificationStore)? = nil
    ) {
        self.routes = routes
        self.credentials = credentials
        self.writer = writer
        self.limiter = limiter
        self.ids = ids
        self.settings = settings
    }

    /// Steps 1 and 2: the token, looked up by its hash (so the time taken
    /// cannot depend on how much of it matched; absurd lengths are refused
    /// without a lookup), then the webhook's rate limit and, only if that
    /// allowed it, the team's ceiling, in one call to the limiter.
    public func admit(token: String?, now: Timestamp) async throws -> Admission {
        try await admit(route(token: token, now: now), now: now)
    }

    /// Step 1 alone: the webhook a token names (`IngestRefusal.notFound`
    /// when none). The endpoint takes the steps apart so that the request
    /// log knows the automation of a request the rate limit then refuses.
    public func route(token: String?, now: Timestamp) async throws -> WebhookRoute {
        guard let token, !token.isEmpty, token.utf8.count <= 256,
            let route = try await routes.route(tokenHash: SecretMaterial.hash(token), now: now)
        else { throw IngestRefusal.notFound }
        return route
    }

    /// Step 2 alone: the rate limits of a found webhook.
    public func admit(_ route: WebhookRoute, now: Timestamp) async throws -> Admission {
        let decisions = try await limiter.acquire(
            [
                RateLimitCheck(key: .webhook(route.webhookID), limit: route.rateLimit),
                RateLimitCheck(key: .team(route.teamID), limit: settings.teamRateLimit),
            ], now: now.seconds)
        // An allowed first check must come with the second's decision; a
        // limiter that answers less is a bug, not a refusal.
        guard let decision = decisions.first, decisions.count == 2 || !decision.allowed else {
            throw IncompleteRateDecisions(count: decisions.count)
        }
        guard decision.allowed else { throw IngestRefusal.rateLimited(rate: decision) }
        guard decisions[1].allowed else { throw IngestRefusal.teamRateLimited(rate: decision, retryAfter: decisions[1].retryAfterHeader) }
        return Admission(route: route, rate: decision)
    }

    /// Steps 3 to 9 for an admitted webhook that is not a handshake (the
    /// console's Test Webhook, and callers that never send one).
    public func accept(_ delivery: Delivery, admission: Admission, now: Timestamp) async throws -> IngestOutcome {
        switch try await receive(delivery, admission: admission, now: now) {
        case .ingested(let outcome): return outcome
        case .handshake: throw IngestRefusal.handshakeNotIngested
        }
    }

    /// Steps 3 to 9 for an admitted webhook: its body within the size cap,
    /// a handshake the scheme answers unsigned, the content type, the
    /// signature over the raw bytes (only when the webhook verifies), a
    /// signed handshake, the body as `accept` allows (validated; a form or
    /// array converted), the idempotency key, then the backlog bound and
    /// the durable enqueue in one group commit.
    public func receive(_ delivery: Delivery, admission: Admission, now: Timestamp) async throws -> Answer {
        let body = delivery.body
        guard body.count <= settings.maxBodyBytes else { throw IngestRefusal.bodyTooLarge(limit: settings.maxBodyBytes) }
        let route = admission.route

        var signedKey: String?
        var deliveryID: String?
        if let verification = route.verification {
            let request = delivery.inbound(verification)
            let scheme = verification.scheme
            if let handshake = scheme.unsignedHandshake(request, credentials: verification.credentials) {
                return .handshake(try await answer(handshake, route: route, now: now))
            }
            guard delivery.method == .post else { throw IngestRefusal.methodNotAllowed }
            try checkContentType(delivery.contentType, accept: route.accept)
            switch scheme.verify(request, credentials: verification.credentials, nowSeconds: now.seconds) {
            case .verified(let key): signedKey = key
            case .missing: throw IngestRefusal.missingSignature
            case .invalid: throw IngestRefusal.invalidSignature
            case .outsideWindow: throw IngestRefusal.signatureOutsideWindow
            }
            if let handshake = scheme.signedHandshake(request, credentials: verification.credentials) {
                return .handshake(handshake)
            }
            if signedKey == nil, !delivery.keyHeaders.contains(where: { $0 != nil }) {
                deliveryID = scheme.deliveryID(request)
            }
        } else {
            guard delivery.method == .post else { throw IngestRefusal.methodNotAllowed }
            try checkContentType(delivery.contentType, accept: route.accept)
        }

        let trigger: [UInt8]
        do {
            trigger = try WebhookBody.trigger(body: body, contentType: delivery.contentType, accept: route.accept, parser: parser)
        } catch .unsupportedContentType(let accept) {
            throw IngestRefusal.contentTypeNotAccepted(accept)
        } catch .malformed(let reason) {
            throw IngestRefusal.malformedJSON(reason)
        }

        // A key the signature fixes (a signed delivery id, or a signed
        // timestamp and its MAC) wins, and unsigned headers cannot change
        // it: otherwise a captured request could be replayed as a new
        // execution under a new key. Else the first of the key headers
        // present is the key; every one present must be well formed, so
        // that a malformed header is reported instead of silently ignored.
        // Else the provider's own delivery id, which the sender cannot fix
        // and so is not refused: one outside the key's alphabet is hashed.
        let key: String?
        if let fixed = signedKey {
            guard IdempotencyKey.isValid(fixed) else { throw IngestRefusal.invalidIdempotencyKey }
            key = fixed
        } else if let header = delivery.keyHeaders.compactMap({ $0 }).first {
            if delivery.keyHeaders.contains(where: { $0.map { !IdempotencyKey.isValid($0) } ?? false }) {
                throw IngestRefusal.invalidIdempotencyKey
            }
            key = header
        } else if let deliveryID, !deliveryID.isEmpty {
            key = IdempotencyKey.isValid(deliveryID) ? deliveryID : "delivery:" + SecretMaterial.hash(deliveryID)
        } else {
            key = nil
        }

        var requestLog = delivery.requestLog?.entry
        if let handOff = delivery.requestLog {
            requestLog?.bodyBytes = body.count
            // Only a converted body (a form, an array) is kept apart: a JSON
            // object is stored as received, and is the same array.
            if trigger != body { requestLog?.body = Array(body.prefix(handOff.bodyBytes)) }
        }
        return .ingested(
            try await writer.submit(
                IngestRequest(
                    executionID: ids.next(nowMillis: UInt64(max(0, now.millis))),
                    route: route,
                    body: trigger,
                    contentType: delivery.contentType,
                    idempotencyKey: key,
                    // Over the bytes as received: the same request is the same delivery.
                    fingerprint: key == nil ? nil : IdempotencyKey.fingerprint(of: body),
                    sourceAddress: delivery.sourceAddress,
                    receivedAt: now,
                    backlogLimit: settings.backlogLimit,
                    idempotencyTTL: settings.idempotencyTTL,
                    requestLog: requestLog,
                    arrived: delivery.requestLog?.arrived)))
    }

    /// The seed's rule for the default (one JSON object): the same check
    /// and message as before; other formats are checked with the body.
    private func checkContentType(_ contentType: String?, accept: [BodyFormat]) throws {
        if accept == [.json] {
            guard ContentTypeRule.accepts(contentType) else { throw IngestRefusal.unsupportedContentType }
        } else if !WebhookBody.isForm(contentType) || !accept.contains(.form) {
            guard ContentTypeRule.accepts(contentType), accept.contains(.json) || accept.contains(.jsonArray) else {
                throw IngestRefusal.contentTypeNotAccepted(accept)
            }
        }
    }

    /// An unsigned handshake's answer; Asana's secret is kept first, and
    /// only when the webhook has none (a second one would let anyone who
    /// knows the URL replace it).
    private func answer(_ outcome: HandshakeOutcome, route: WebhookRoute, now: Timestamp) async throws -> HandshakeAnswer {
        switch outcome {
        case .answer(let answer):
            return answer
        case .refused(let status, let message):
            throw IngestRefusal.handshakeRefused(status: status, message: message)
        case .adoptSecret(let secret, let answer):
            guard route.verification?.credentials.isEmpty == true, let credentials,
                try await credentials.adoptCredential(webhookID: route.webhookID, credential: SchemeCredential(secret: secret), now: now)
            else {
                throw IngestRefusal.handshakeRefused(
                    status: 409, message: "This webhook already has a secret; set webhook.verification again to accept a new one")
            }
            return answer
        }
    }
}

/// The limiter answered fewer decisions than the checks it was given allow.
public struct IncompleteRateDecisions: Error {
    public var count: Int
}
