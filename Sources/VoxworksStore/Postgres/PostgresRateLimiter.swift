import Foundation
import Logging
import PostgresNIO
import VoxworksCore

/// GCRA with its state in the shared database, so that a limit is one limit
/// across every node. Requests that arrive together are decided together:
/// while one batch's call is in flight the next ones queue, and the whole
/// queue then costs one round trip (`rate_limit_acquire`, migration 4),
/// which decides them in arrival order with each key's row locked once.
/// One call per request put every webhook behind the same hot row. It
/// runs on the store's limiter pool, whose commits do not wait for the WAL
/// flush (rate-limit state lost in a crash can only let a few more through).
public final class PostgresRateLimiter: RateLimiter {
    private struct Request: Sendable {
        var key: String
        var limit: RateLimit
        var now: Double
    }

    private let batches: BatchingQueue<Request, RateDecision>

    /// `callDeadline` bounds one batch's call: a call that never returns
    /// (a connection that died with PostgreSQL) must not hold every later
    /// request, since they all wait behind it.
    public init(store: PostgresStore, maxBatch: Int = 1024, callDeadline: Duration = .seconds(10)) {
        batches = BatchingQueue(
            maxBatch: maxBatch, deadline: callDeadline, timedOut: PostgresRateLimiterError.callTimedOut,
            missingAnswer: PostgresRateLimiterError.missingDecision
        ) { batch in try await Self.decide(batch, store: store) }
    }

    public func acquire(key: RateLimitKey, limit: RateLimit, now: Double) async throws -> RateDecision {
        let name: String = switch key {
        case .webhook(let id): "webhook:\(id.lowercased)"
        case .team(let id): "team:\(id.lowercased)"
        case .apiKey(let hash): "key:\(hash)"
        }
        return try await batches.submit(Request(key: name, limit: limit, now: now))
    }

    /// One decision per request, in the batch's order.
    private static func decide(_ batch: [Request], store: PostgresStore) async throws -> [RateDecision] {
        // Sorted by key (stable, so each key's requests keep their arrival
        // order): every caller locks rows in the same order.
        let order = batch.indices.sorted { (batch[$0].key, $0) < (batch[$1].key, $1) }
        let keys = order.map { batch[$0].key }
        let nows = order.map { batch[$0].now }
        let intervals = order.map { 1 / batch[$0].limit.perSecond }
        let tolerances = order.map { (1 / batch[$0].limit.perSecond) * Double(batch[$0].limit.burst) }
        let rows = try await store.limiterClient.query("""
            SELECT allowed_out, tat_out FROM rate_limit_acquire(\(keys), \(nows), \(intervals), \(tolerances))
            """, logger: store.logger)
        var decisions = [RateDecision?](repeating: nil, count: batch.count)
        var position = 0
        for try await (allowed, tat) in rows.decode((Bool, Double).self) {
            guard position < order.count else { break }
            let index = order[position]
            decisions[index] = decision(allowed: allowed, tat: tat, limit: batch[index].limit, now: batch[index].now)
            position += 1
        }
        guard position == order.count else { throw PostgresRateLimiterError.missingDecision }
        return decisions.compactMap { $0 }
    }

    /// The same arithmetic as `GCRA.evaluate`, from the arrival time the
    /// database settled on: the new one when allowed, the standing one when not.
    static func decision(allowed: Bool, tat: Double, limit: RateLimit, now: Double) -> RateDecision {
        let interval = 1 / limit.perSecond
        let tolerance = interval * Double(limit.burst)
        if allowed {
            let remaining = max(0, Int(((now + tolerance - tat) / interval + 1e-9).rounded(.down)))
            return RateDecision(allowed: true, limit: limit.burst, remaining: remaining, retryAfter: 0)
        }
        let current = max(tat, now)
        let remaining = max(0, Int(((now + tolerance - current) / interval).rounded(.down)))
        return RateDecision(allowed: false, limit: limit.burst, remaining: remaining, retryAfter: max(0, current + interval - tolerance - now))
    }
}

public enum PostgresRateLimiterError: Error {
    /// The database answered fewer rows than requests were sent (a bug).
    case missingDecision
    /// The batch's call did not finish within the limiter's deadline.
    case callTimedOut
}
