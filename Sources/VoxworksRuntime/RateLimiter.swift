import Foundation
import VoxworksCore

/// Decides rate limits. The single-node store keeps GCRA state in memory;
/// a shared database keeps it in a table so that the limit is global.
public protocol RateLimiter: Sendable {
    func acquire(key: RateLimitKey, limit: RateLimit, now: Double) async throws -> RateDecision

    /// Decides `checks` in order and stops at the first refusal: the answer
    /// holds the decisions up to and including it, and a check after it is
    /// neither decided nor charged. A webhook's own limit and then its
    /// team's ceiling, in one call (for a shared limiter, one round trip
    /// and one wait instead of two).
    func acquire(_ checks: [RateLimitCheck], now: Double) async throws -> [RateDecision]
}

/// One limit to check for a request: which key it is charged to, and its rate.
public struct RateLimitCheck: Sendable, Hashable {
    public var key: RateLimitKey
    public var limit: RateLimit

    public init(key: RateLimitKey, limit: RateLimit) {
        self.key = key
        self.limit = limit
    }
}

public enum RateLimitKey: Hashable, Sendable {
    case webhook(UUID)
    case team(UUID)
    /// An API key, by its hash.
    case apiKey(String)
}
