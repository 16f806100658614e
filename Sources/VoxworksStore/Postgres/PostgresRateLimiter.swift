import Foundation
import Logging
import PostgresNIO
import VoxworksCore
import VoxworksRuntime

/// GCRA with its state in the shared database, so that a limit is one limit
/// across every node. Requests that arrive together are decided together:
/// while one batch's call is in flight the next ones queue, and the whole
/// queue then costs one round trip (`rate_limit_acquire_chained`,
/// migration 5), which decides them in arrival order with each key's row
/// locked once. A request's checks (a webhook's limit, then its team's)
/// travel in the same call: the team's is decided only if the webhook's
/// allowed it. One call per request put every webhook behind the same hot
/// row; one call per check cost every webhook a second wait. It runs on the
/// store's limiter pool, whose commits do not wait for the WAL flush
/// (rate-limit state lost in a crash can only let a few more through).
public final class PostgresRateLimiter: RateLimiter {
    private struct Request: Sendable {
        var checks: [(key: String, limit: RateLimit)]
        var now: Double
    }

    private let batches: BatchingQueue<Request, [RateDecision]>

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
        guard let decision = try await acquire([RateLimitCheck(key: key, limit: limit)], now: now).first else {
            throw PostgresRateLimiterError.missingDecision
        }
        return decision
    }

    public func acquire(_ checks: [RateLimitCheck], now: Double) async throws -> [RateDecision] {
        guard !checks.isEmpty else { return [] }
        return try await batches.submit(Request(checks: checks.map { (Self.name(of: $0.key), $0.limit) }, now: now))
    }

    private static func name(of key: RateLimitKey) -> String {
        switch key {
        case .webhook(let id): "webhook:\(id.lowercased)"
        case .team(let id): "team:\(id.lowercased)"
        case .apiKey(let hash): "key:\(hash)"
        }
    }

    /// The decision's one statement, prepared on each connection.
    enum Acquire: PostgresPreparedText {
        static let name = "voxworks_rate_limit_acquire"
        static let template = statement(keys: [], nows: [], intervals: [], tolerances: [], after: [])

        static func statement(keys: [String], nows: [Double], intervals: [Double], tolerances: [Double], after: [Int32])
            -> PostgresStatement
        {
            var parameters = PostgresParameters()
            let arguments = [
                parameters.add(keys), parameters.add(nows), parameters.add(intervals), parameters.add(tolerances), parameters.add(after),
            ]
            return parameters.statement("SELECT outcomes, tats FROM rate_limit_acquire_chained(\(arguments.joined(separator: ", ")))")
        }
    }

    /// Each request's decisions, in the batch's order. The function gets one
    /// element per check, sorted by the check's place in its request (every
    /// first check before every second one), then by key, then by arrival
    /// (stable, so each key's requests keep their order): every caller locks
    /// rows in the same order, and a check comes after the one it depends on,
    /// whose position it names (`after`, 1-based; 0 for a first check). The
    /// order is global because first checks (webhooks, API keys) and second
    /// checks (teams) never share a key in this server's calls.
    private static func decide(_ batch: [Request], store: PostgresStore) async throws -> [[RateDecision]] {
        struct Element { var stage: Int, key: String, request: Int, limit: RateLimit }
        var elements: [Element] = []
        var firstElement: [Int] = []
        for (index, request) in batch.enumerated() {
            firstElement.append(elements.count)
            for (stage, check) in request.checks.enumerated() {
                elements.append(Element(stage: stage, key: check.key, request: index, limit: check.limit))
            }
        }
        let order = elements.indices.sorted {
            (elements[$0].stage, elements[$0].key, elements[$0].request) < (elements[$1].stage, elements[$1].key, elements[$1].request)
        }
        var position = [Int](repeating: 0, count: elements.count)
        for (place, element) in order.enumerated() { position[element] = place }
        let keys = order.map { elements[$0].key }
        let nows = order.map { batch[elements[$0].request].now }
        let intervals = order.map { elements[$0].limit.interval }
        let tolerances = order.map { elements[$0].limit.tolerance(at: batch[elements[$0].request].now) }
        let after = order.map { element in
            elements[element].stage == 0 ? Int32(0) : Int32(position[element - 1] + 1)
        }
        let rows = try await store.limiterClient.rows(
            Acquire.statement(keys: keys, nows: nows, intervals: intervals, tolerances: tolerances, after: after),
            preparedAs: Acquire.self, logger: store.logger)
        let outcomes = try rows.first?.value("outcomes", as: [Int16].self) ?? []
        let tats = try rows.first?.value("tats", as: [Double].self) ?? []
        guard outcomes.count == elements.count, tats.count == elements.count else { throw PostgresRateLimiterError.missingDecision }
        return batch.enumerated().map { index, request in
            var decisions: [RateDecision] = []
            for (stage, check) in request.checks.enumerated() {
                let place = position[firstElement[index] + stage]
                guard outcomes[place] >= 0 else { break }
                let allowed = outcomes[place] == 1
                decisions.append(decision(allowed: allowed, tat: tats[place], limit: check.limit, now: request.now))
                if !allowed { break }
            }
            return decisions
        }
    }

    /// The same arithmetic as `GCRA.evaluate`, from the arrival time the
    /// database settled on: the new one when allowed, the standing one when not.
    static func decision(allowed: Bool, tat: Double, limit: RateLimit, now: Double) -> RateDecision {
        let interval = limit.interval
        let tolerance = limit.tolerance
        if allowed {
            let remaining = limit.requests(fitting: now + tolerance - tat + interval * 1e-9)
            return RateDecision(allowed: true, limit: limit.burst, remaining: remaining, retryAfter: 0)
        }
        let current = max(tat, now)
        let remaining = limit.requests(fitting: now + tolerance - current)
        return RateDecision(
            allowed: false, limit: limit.burst, remaining: remaining, retryAfter: max(0, current + interval - tolerance - now))
    }
}

public enum PostgresRateLimiterError: Error {
    /// The database answered fewer rows than requests were sent (a bug).
    case missingDecision
    /// The batch's call did not finish within the limiter's deadline.
    case callTimedOut
}
