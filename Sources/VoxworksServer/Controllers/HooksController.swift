import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VoxworksCore
import VoxworksStore
import VoxworksRuntime
import VoxworksIngest

/// `POST /api/v1/hooks/{token}`, in the contract's order of checks: token,
/// rate limit, body size, content type, signature, JSON, idempotency,
/// backlog, durable enqueue. The body is never parsed before it is
/// authenticated, and nothing is written for a request that is refused.
struct HooksController {
    let store: any Store
    let writer: IngestWriter
    let limiter: any RateLimiter
    let ids: UUIDv7Generator
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp
    let notFound: AddressThrottle
    let verifier = SignatureVerifier()
    let parser = JSONParser()

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.post("/api/v1/hooks/:token", use: receive)
    }

    @Sendable func receive(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        var request = request
        let now = clock()

        // 0. An address (an IPv6 /64) that has drawn too many 404s waits before any lookup.
        if let wait = notFound.blockedFor(context.clientAddress, now: now.seconds) {
            throw Self.tooManyRequests(
                "Too many requests for unknown webhooks from this address", retryAfter: AddressThrottle.retryAfterHeader(wait), headers: [:])
        }

        // 1. Token: looked up by its hash (so the time taken cannot depend on
        // how much of it matched); absurd lengths are refused without a lookup.
        guard let token = context.parameters.get("token"), !token.isEmpty, token.utf8.count <= 256,
              let route = try await store.route(tokenHash: SecretMaterial.hash(token), now: now)
        else {
            notFound.record(context.clientAddress, now: now.seconds)
            throw APIError.webhookNotFound
        }

        // 2. Rate limit: per webhook, then (only if that allowed it) the
        // team's ceiling, in one call to the limiter.
        let decisions = try await limiter.acquire([
            RateLimitCheck(key: .webhook(route.webhookID), limit: route.rateLimit),
            RateLimitCheck(key: .team(route.teamID), limit: configuration.teamRateLimit),
        ], now: now.seconds)
        // An allowed first check must come with the second's decision; a
        // limiter that answers less is a bug, answered 500 by the middleware.
        guard let decision = decisions.first, decisions.count == 2 || !decision.allowed else {
            throw IncompleteRateDecisions(count: decisions.count)
        }
        var rateHeaders: HTTPFields = [:]
        rateHeaders[.rateLimitLimit] = String(decision.limit)
        rateHeaders[.rateLimitRemaining] = String(decision.remaining)
        guard decision.allowed else {
            throw Self.tooManyRequests("Rate limit exceeded", retryAfter: decision.retryAfterHeader, headers: rateHeaders)
        }
        let teamDecision = decisions[1]
        guard teamDecision.allowed else {
            throw Self.tooManyRequests("Team rate limit exceeded", retryAfter: teamDecision.retryAfterHeader, headers: rateHeaders)
        }

        do {
            let outcome = try await admit(&request, route: route, context: context, now: now)
            var headers = rateHeaders
            switch outcome {
            case .accepted(let id):
                return JSONResponse.make(.accepted, text: Self.acceptedBody(id), headers: headers)
            case .replayed(let id):
                headers[.idempotentReplayed] = "true"
                return JSONResponse.make(.accepted, text: Self.acceptedBody(id), headers: headers)
            case .conflict:
                throw APIError.idempotencyConflict
            case .backlogFull:
                throw Self.tooManyRequests(
                    "Too many pending executions for this team; retry later", retryAfter: 10, headers: [:])
            }
        } catch let error as APIError {
            throw error.adding(rateHeaders)
        } catch {
            context.logger.error("webhook ingest failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.internalError.adding(rateHeaders)
        }
    }

    /// Steps 3 to 9, once the token and the rate limit have let the request in.
    private func admit(_ request: inout Request, route: WebhookRoute, context: VoxworksRequestContext, now: Timestamp) async throws -> IngestOutcome {
        // 3. Body size, read with a hard cap.
        let body = try await request.collectBody(
            limit: configuration.maxBodyBytes, context: context, deadline: .seconds(configuration.bodyTimeoutSeconds))

        // 4. Content type.
        let contentType = request.headers[.contentType]
        guard ContentTypeRule.accepts(contentType) else {
            throw APIError.badRequest("Content-Type must be application/json")
        }

        // 5. Signature, only when the webhook has a secret.
        var delivery = SignedDelivery.bodyOnly
        if !route.signingKeys.isEmpty {
            let headers = SignatureHeaders(
                webhookSignature: request.headers[.webhookSignature],
                webhookTimestamp: request.headers[.webhookTimestamp],
                standardID: request.headers[.standardWebhookID],
                standardTimestamp: request.headers[.standardWebhookTimestamp],
                standardSignature: request.headers[.standardWebhookSignature])
            switch verifier.check(body: body, headers: headers, keys: route.signingKeys, nowSeconds: now.seconds) {
            case .verified(let signed): delivery = signed
            case .missing: throw APIError.missingSignature
            case .invalid: throw APIError.invalidSignature
            case .outsideWindow: throw APIError.signatureOutsideWindow
            }
        }

        // 6. A JSON object, validated without building it.
        do {
            try parser.validateObject(body)
        } catch {
            throw APIError.badRequest(error.message)
        }

        // 7. Idempotency key (decided against the store inside the commit).
        // A key the signature fixes (a signed delivery id, or a signed
        // timestamp and its MAC) wins, and unsigned headers cannot change
        // it: otherwise a captured request could be replayed as a new
        // execution under a new key. Else the first of these headers present
        // is the key; every one present must be a well-formed key, so that
        // a malformed header is reported instead of silently ignored.
        let key: String?
        if let signed = delivery.idempotencyKey {
            guard IdempotencyKey.isValid(signed) else {
                throw APIError.badRequest("Idempotency key must be 1 to 255 visible ASCII characters")
            }
            key = signed
        } else {
            let candidates = [request.headers[.xIdempotencyKey], request.headers[.idempotencyKey], request.headers[.standardWebhookID]]
            if candidates.contains(where: { $0.map { !IdempotencyKey.isValid($0) } ?? false }) {
                throw APIError.badRequest("Idempotency key must be 1 to 255 visible ASCII characters")
            }
            key = candidates.compactMap { $0 }.first
        }

        // 8 and 9. Backlog bound and durable enqueue, in one group commit.
        return try await writer.submit(IngestRequest(
            executionID: ids.next(nowMillis: UInt64(max(0, now.millis))),
            route: route,
            body: body,
            contentType: contentType,
            idempotencyKey: key,
            fingerprint: key == nil ? nil : IdempotencyKey.fingerprint(of: body),
            sourceAddress: context.remoteAddress,
            receivedAt: now,
            backlogLimit: configuration.backlogLimit,
            idempotencyTTL: configuration.idempotencyTTLSeconds))
    }

    static func acceptedBody(_ id: UUID) -> String {
        "{\"success\":true,\"execution_id\":\"\(id.lowercased)\"}"
    }

    static func tooManyRequests(_ message: String, retryAfter: Int, headers: HTTPFields) -> APIError {
        var fields = headers
        fields[.retryAfter] = String(retryAfter)
        return APIError(.tooManyRequests, message, headers: fields)
    }
}

/// The limiter answered fewer decisions than the checks it was given allow.
struct IncompleteRateDecisions: Error {
    var count: Int
}
