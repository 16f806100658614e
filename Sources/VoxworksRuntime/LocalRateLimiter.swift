import Synchronization
import VoxworksCore

import Foundation

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
