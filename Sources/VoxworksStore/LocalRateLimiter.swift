import Synchronization
import VoxworksCore

import Foundation

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

/// GCRA state in memory, for one node. Entries whose arrival time has
/// passed carry no information (a fresh key behaves the same), so they are
/// dropped when the table grows.
public final class LocalRateLimiter: RateLimiter {
    private let table = Mutex<[RateLimitKey: Double]>([:])
    private let pruneThreshold: Int

    public init(pruneThreshold: Int = 100_000) {
        self.pruneThreshold = pruneThreshold
    }

    public func acquire(key: RateLimitKey, limit: RateLimit, now: Double) -> RateDecision {
        table.withLock { table in decide(key: key, limit: limit, now: now, table: &table) }
    }

    /// Under one lock, so that no other request is decided between the checks.
    public func acquire(_ checks: [RateLimitCheck], now: Double) -> [RateDecision] {
        table.withLock { table in
            var decisions: [RateDecision] = []
            for check in checks {
                let decision = decide(key: check.key, limit: check.limit, now: now, table: &table)
                decisions.append(decision)
                if !decision.allowed { break }
            }
            return decisions
        }
    }

    private func decide(key: RateLimitKey, limit: RateLimit, now: Double, table: inout [RateLimitKey: Double]) -> RateDecision {
        let (decision, tat) = GCRA.evaluate(tat: table[key], limit: limit, now: now)
        table[key] = tat
        if table.count > pruneThreshold {
            table = table.filter { $0.value > now }
        }
        return decision
    }
}
