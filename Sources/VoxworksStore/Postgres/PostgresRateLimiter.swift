import Foundation
import Logging
import PostgresNIO
import VoxworksCore

/// GCRA with its state in the shared database, so that a limit is one limit
/// across every node. Allowing a request is one atomic statement (the
/// update only happens when the request fits); a refusal reads the state
/// once more to say when the next request will fit. It runs on the store's
/// limiter pool, whose commits do not wait for the WAL flush.
public struct PostgresRateLimiter: RateLimiter {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func acquire(key: RateLimitKey, limit: RateLimit, now: Double) async throws -> RateDecision {
        let name: String = switch key {
        case .webhook(let id): "webhook:\(id.lowercased)"
        case .team(let id): "team:\(id.lowercased)"
        case .apiKey(let hash): "key:\(hash)"
        }
        let interval = 1 / limit.perSecond
        let tolerance = interval * Double(limit.burst)
        // The same arithmetic as GCRA.evaluate, with its 1e-9 s allowance for rounding.
        if let row = try await store.limiterClient.query("""
            INSERT INTO rate_limits (key, tat) VALUES (\(name), \(now + interval))
            ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, \(now)) + \(interval)
                WHERE GREATEST(rate_limits.tat, \(now)) + \(interval) - \(tolerance) <= \(now + 1e-9)
            RETURNING tat
            """, logger: store.logger).first() {
            let tat: Double = try row.value("tat")
            let remaining = max(0, Int(((now + tolerance - tat) / interval + 1e-9).rounded(.down)))
            return RateDecision(allowed: true, limit: limit.burst, remaining: remaining, retryAfter: 0)
        }
        let tat = try await store.limiterClient.query("SELECT tat FROM rate_limits WHERE key = \(name)", logger: store.logger)
            .first()?.value("tat", as: Double.self) ?? now
        let current = max(tat, now)
        let remaining = max(0, Int(((now + tolerance - current) / interval).rounded(.down)))
        return RateDecision(allowed: false, limit: limit.burst, remaining: remaining, retryAfter: max(0, current + interval - tolerance - now))
    }
}
