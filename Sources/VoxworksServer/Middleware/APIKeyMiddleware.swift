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
/// `429` before its key is even looked up, right or wrong, until it refills.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let store: any Store
    let limiter: any RateLimiter
    let limit: RateLimit
    let clock: @Sendable () -> Timestamp
    let failures: AddressThrottle

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = clock().seconds
        if let wait = failures.blockedFor(context.clientAddress, now: now) {
            var headers = HTTPFields()
            headers[.retryAfter] = String(AddressThrottle.retryAfterHeader(wait))
            throw APIError(.tooManyRequests, "Too many failed API key attempts from this address", headers: headers)
        }
        guard let key = try await authenticate(request) else {
            failures.record(context.clientAddress, now: now)
            throw APIError.invalidAPIKey
        }
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
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch let error as APIError {
            throw error.adding(headers)
        }
    }

    /// The key's team and hash, or nil for a missing, malformed, unknown or revoked key.
    private func authenticate(_ request: Request) async throws -> (teamID: UUID, keyHash: String)? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("vx_"), key.utf8.count <= 200 else { return nil }
        let hash = SecretMaterial.hash(key)
        guard let teamID = try await store.teamID(forAPIKeyHash: hash) else { return nil }
        return (teamID, hash)
    }
}

extension VoxworksRequestContext {
    /// The authenticated team; only reachable behind `APIKeyMiddleware`.
    func requireTeam() throws -> UUID {
        guard let teamID else { throw APIError.invalidAPIKey }
        return teamID
    }
}
