import Foundation
import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

/// Bearer API keys for the management and public API, and each key's rate
/// limit over the whole API (the same headers as the webhook's). Keys are
/// looked up by their SHA-256; the key itself is never stored or logged.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let store: any Store
    let limiter: any RateLimiter
    let limit: RateLimit
    let clock: @Sendable () -> Timestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.invalidAPIKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.invalidAPIKey }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("vx_"), key.utf8.count <= 200 else { throw APIError.invalidAPIKey }
        let hash = SecretMaterial.hash(key)
        guard let teamID = try await store.teamID(forAPIKeyHash: hash) else { throw APIError.invalidAPIKey }
        let decision = try await limiter.acquire(key: .apiKey(hash), limit: limit, now: clock().seconds)
        var headers = HTTPFields()
        headers[.rateLimitLimit] = String(decision.limit)
        headers[.rateLimitRemaining] = String(decision.remaining)
        guard decision.allowed else {
            headers[.retryAfter] = String(decision.retryAfterHeader)
            throw APIError(.tooManyRequests, "Rate limit exceeded", headers: headers)
        }
        var context = context
        context.teamID = teamID
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch let error as APIError {
            throw error.adding(headers)
        }
    }
}

extension VoxworksRequestContext {
    /// The authenticated team; only reachable behind `APIKeyMiddleware`.
    func requireTeam() throws -> UUID {
        guard let teamID else { throw APIError.invalidAPIKey }
        return teamID
    }
}
