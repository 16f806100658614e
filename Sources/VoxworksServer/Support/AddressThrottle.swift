import Synchronization
import VoxworksCore

/// A per-client-address allowance of some bad outcome (GCRA over the
/// outcomes). Used twice: `404`s on the webhook endpoint (slows token
/// guessing) and failed API keys and console sign-ins (slows key guessing).
/// Once an address has spent its allowance, its requests get `429` before
/// any lookup, so a guesser learns nothing more, hit or miss, until the
/// allowance refills. Kept in memory per node on purpose: writing guessers'
/// misses to a shared database would hand them a way to load it.
///
/// An IPv6 client is counted per /64: one host (one subscriber) controls a
/// whole /64 and can draw a fresh address from it for every request. An
/// IPv4-mapped IPv6 peer (a dual-stack socket's IPv4 client) counts as its
/// IPv4 address.
final class AddressThrottle: Sendable {
    private let table = Mutex<[IPAddress: Double]>([:])
    private let limit: RateLimit?
    private let exempt: [IPRange]
    private let pruneThreshold: Int

    /// `limit` nil turns the throttle off (behind a proxy that hides client
    /// addresses); addresses in `exempt` are never counted (trusted senders).
    init(limit: RateLimit?, exempt: [IPRange] = [], pruneThreshold: Int = 100_000) {
        self.limit = limit
        self.exempt = exempt
        self.pruneThreshold = pruneThreshold
    }

    /// The unit counted: the IPv4 address, or the IPv6 address's /64.
    static func key(_ address: IPAddress) -> IPAddress {
        switch address.unmapped {
        case .v6(let high, _): .v6(high, 0)
        case let v4: v4
        }
    }

    /// Seconds until `address` may be looked up again, or nil when it may now.
    /// (Exempt addresses are never recorded, so they are never blocked: the
    /// hot path is one dictionary lookup.)
    func blockedFor(_ address: IPAddress?, now: Double) -> Double? {
        guard let limit, let address else { return nil }
        let key = Self.key(address)
        guard let tat = table.withLock({ $0[key] }) else { return nil }
        let decision = GCRA.evaluate(tat: tat, limit: limit, now: now).decision
        return decision.allowed ? nil : decision.retryAfter
    }

    /// Counts one bad outcome against `address`.
    func record(_ address: IPAddress?, now: Double) {
        guard let limit, let address, !exempt.contains(where: { $0.contains(address) }) else { return }
        let key = Self.key(address)
        table.withLock { table in
            table[key] = GCRA.evaluate(tat: table[key], limit: limit, now: now).tat
            if table.count > pruneThreshold {
                table = table.filter { $0.value > now }
            }
        }
    }

    /// `Retry-After` for a wait, in whole seconds, at least 1.
    static func retryAfterHeader(_ wait: Double) -> Int { RateDecision.wholeSeconds(wait) }
}
