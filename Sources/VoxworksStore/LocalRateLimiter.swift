import Synchronization
import VoxworksCore

import Foundation

/// Decides rate limits. The single-node store keeps GCRA state in memory;
/// a shared database keeps it in a table so that the limit is global.
public protocol RateLimiter: Sendable {
    func acquire(key: RateLimitKey, limit: RateLimit, now: Double) async throws -> RateDecision
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
        table.withLock { table in
            let (decision, tat) = GCRA.evaluate(tat: table[key], limit: limit, now: now)
            table[key] = tat
            if table.count > pruneThreshold {
                table = table.filter { $0.value > now }
            }
            return decision
        }
    }
}
