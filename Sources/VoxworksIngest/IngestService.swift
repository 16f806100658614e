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
        public var signature: SignatureHeaders
        /// `X-Idempotency-Key`, `Idempotency-Key`, `webhook-id`, in that order of preference.
        public var keyHeaders: [String?]
        public var sourceAddress: String?

        public init(body: [UInt8], contentType: String?, signature: SignatureHeaders, keyHeaders: [String?], sourceAddress: String?) {
            self.body = body
            self.contentType = contentType
            self.signature = signature
            self.keyHeaders = keyHeaders
            self.sourceAddress = sourceAddress
        }
    }

    let routes: any WebhookRoutes
    let writer: IngestWriter
    let limiter: any RateLimiter
    let ids: UUIDv7Generator
    public let settings: Settings
    let verifier = SignatureVerifier()
    let parser = JSONParser()

    public init(
        routes: any WebhookRoutes, writer: IngestWriter, limiter: any RateLimiter, ids: UUIDv7Generator = UUIDv7Generator(),
        settings: Settings
    ) {
        self.routes = routes
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

    /// Steps 3 to 9 for an admitted webhook: its body within the size cap,
    /// the content type, the signature (only when the webhook has a
    /// secret), one JSON object (validated without building it), the
    /// idempotency key, then the backlog bound and the durable enqueue in
    /// one group commit.
    public func accept(_ delivery: Delivery, admission: Admission, now: Timestamp) async throws -> IngestOutcome {
        let body = delivery.body
        guard body.count <= settings.maxBodyBytes else { throw IngestRefusal.bodyTooLarge(limit: settings.maxBodyBytes) }
        guard ContentTypeRule.accepts(delivery.contentType) else { throw IngestRefusal.unsupportedContentType }

        let route = admission.route
        var signed = SignedDelivery.bodyOnly
        if !route.signingKeys.isEmpty {
            switch verifier.check(body: body, headers: delivery.signature, keys: route.signingKeys, nowSeconds: now.seconds) {
            case .verified(let delivery): signed = delivery
            case .missing: throw IngestRefusal.missingSignature
            case .invalid: throw IngestRefusal.invalidSignature
            case .outsideWindow: throw IngestRefusal.signatureOutsideWindow
            }
        }

        do {
            try parser.validateObject(body)
        } catch {
            throw IngestRefusal.malformedJSON(error.message)
        }

        // A key the signature fixes (a signed delivery id, or a signed
        // timestamp and its MAC) wins, and unsigned headers cannot change
        // it: otherwise a captured request could be replayed as a new
        // execution under a new key. Else the first of the key headers
        // present is the key; every one present must be well formed, so
        // that a malformed header is reported instead of silently ignored.
        let key: String?
        if let fixed = signed.idempotencyKey {
            guard IdempotencyKey.isValid(fixed) else { throw IngestRefusal.invalidIdempotencyKey }
            key = fixed
        } else {
            if delivery.keyHeaders.contains(where: { $0.map { !IdempotencyKey.isValid($0) } ?? false }) {
                throw IngestRefusal.invalidIdempotencyKey
            }
            key = delivery.keyHeaders.compactMap { $0 }.first
        }

        return try await writer.submit(
            IngestRequest(
                executionID: ids.next(nowMillis: UInt64(max(0, now.millis))),
                route: route,
                body: body,
                contentType: delivery.contentType,
                idempotencyKey: key,
                fingerprint: key == nil ? nil : IdempotencyKey.fingerprint(of: body),
                sourceAddress: delivery.sourceAddress,
                receivedAt: now,
                backlogLimit: settings.backlogLimit,
                idempotencyTTL: settings.idempotencyTTL))
    }
}

/// The limiter answered fewer decisions than the checks it was given allow.
public struct IncompleteRateDecisions: Error {
    public var count: Int
}
