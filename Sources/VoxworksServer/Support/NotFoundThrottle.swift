import Synchronization
import VoxworksCore

/// Slows token guessing: each client address may draw only so many `404`s
/// (GCRA over misses). Once its allowance is spent, every webhook request
/// from that address gets `429` before any lookup, so a guesser learns
/// nothing more, hit or miss, until the allowance refills. Kept in memory
/// per node on purpose: writing guessers' misses to a shared database would
/// hand them a way to load it.
final class NotFoundThrottle: Sendable {
    private let table = Mutex<[String: Double]>([:])
    private let limit: RateLimit?
    private let pruneThreshold: Int

    /// `limit` nil turns the throttle off (behind a proxy that hides client addresses).
    init(limit: RateLimit?, pruneThreshold: Int = 100_000) {
        self.limit = limit
        self.pruneThreshold = pruneThreshold
    }

    /// Seconds until `address` may be looked up again, or nil when it may now.
    func blockedFor(_ address: String?, now: Double) -> Double? {
        guard let limit, let address else { return nil }
        let tat = table.withLock { $0[address] }
        let decision = GCRA.evaluate(tat: tat, limit: limit, now: now).decision
        return decision.allowed ? nil : decision.retryAfter
    }

    /// Counts one `404` against `address`.
    func recordMiss(_ address: String?, now: Double) {
        guard let limit, let address else { return }
        table.withLock { table in
            table[address] = GCRA.evaluate(tat: table[address], limit: limit, now: now).tat
            if table.count > pruneThreshold {
                table = table.filter { $0.value > now }
            }
        }
    }
}
