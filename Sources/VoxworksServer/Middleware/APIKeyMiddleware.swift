import Foundation
import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// Bearer API keys for the management and public API, and each key's rate
/// limit over the whole API (the same headers as the webhook's). Keys are
/// looked up by their SHA-256; the key itself is never stored or logged.
/// Every `401` counts against the client's address (`failures`, shared
/// with console sign-ins); an address that has spent its allowance gets
/// `429` before its key is even looked up, until it refills, unless the key
/// is one this node has accepted before (`accepted`): successful
/// authentication is never slowed, and a guesser still learns nothing.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let store: any APIKeyStore
    let limiter: any RateLimiter
    let limit: RateLimit
    let clock: @Sendable () -> Timestamp
    let failures: AddressThrottle
    let accepted: AcceptedKeys
    /// When each key's `last_used_at` was last written from this node.
    var usage = APIKeyUsage()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = clock().seconds
        let presented = Self.presentedKeyHash(request)
        if let wait = failures.blockedFor(context.clientAddress, now: now), !(presented.map(accepted.contains) ?? false) {
            var headers = HTTPFields()
            headers[.retryAfter] = String(AddressThrottle.retryAfterHeader(wait))
            throw APIError(.tooManyRequests, "Too many failed API key attempts from this address", headers: headers)
        }
        guard let hash = presented, let teamID = try await store.teamID(forAPIKeyHash: hash) else {
            failures.record(context.clientAddress, now: now)
            // A revoked key is forgotten, so that it no longer passes a throttled address.
            if let presented { accepted.remove(presented) }
            throw APIError.invalidAPIKey
        }
        accepted.insert(hash)
        if usage.isDue(hash, now: now) {
            // At most one write per key a minute; a failed write only leaves `last_used_at` older.
            try? await store.touchAPIKey(keyHash: hash, now: clock())
        }
        let key = (teamID: teamID, keyHash: hash)
        let decision = try await limiter.acquire(key: .apiKey(key.keyHash), limit: limit, now: now)
        var headers = HTTPFields()
        headers[.rateLimitLimit] = String(decision.limit)
        headers[.rateLimitRemaining] = String(decision.remaining)
        guard decision.allowed else {
            headers[.retryAfter] = String(decision.retryAfterHeader)
            throw APIError(.tooManyRequests, "Rate limit exceeded", headers: headers)
        }
        var context = context
        context.teamID = key.teamID
        context.apiKeyHash = key.keyHash
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch let error as APIError {
            throw error.adding(headers)
        }
    }

    /// The SHA-256 of the bearer key, or nil for a missing or malformed one
    /// (never looked up).
    static func presentedKeyHash(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("vx_"), key.utf8.count <= 200 else { return nil }
        return SecretMaterial.hash(key)
    }
}

extension VoxworksRequestContext {
    /// The authenticated team; only reachable behind `APIKeyMiddleware`.
    func requireTeam() throws -> UUID {
        guard let teamID else { throw APIError.invalidAPIKey }
        return teamID
    }
}
