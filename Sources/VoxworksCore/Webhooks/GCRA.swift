/// A rate limit: a sustained rate with a burst allowance.
public struct RateLimit: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }

    public static let webhookDefault = RateLimit(perSecond: 50, burst: 100)

    public var isValid: Bool { perSecond > 0 && perSecond <= 100_000 && burst >= 1 && burst <= 1_000_000 }
}

/// What the limiter decided for one request.
public struct RateDecision: Sendable, Equatable {
    public var allowed: Bool
    public var limit: Int
    public var remaining: Int
    /// Seconds until one request will fit (0 when allowed).
    public var retryAfter: Double

    public init(allowed: Bool, limit: Int, remaining: Int, retryAfter: Double) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.retryAfter = retryAfter
    }

    /// `Retry-After` in whole seconds, at least 1, as the contract requires.
    public var retryAfterHeader: Int { max(1, Int(retryAfter.rounded(.up))) }
}

/// The Generic Cell Rate Algorithm: one number of state per key (the
/// theoretical arrival time), exact at any rate, and the same arithmetic can
/// run in a single SQL statement when the state lives in a shared database.
public enum GCRA {
    /// Decides one request at `now` (seconds) and returns the new state.
    /// `tat` is nil for a key never seen.
    public static func evaluate(tat: Double?, limit: RateLimit, now: Double, cost: Int = 1) -> (decision: RateDecision, tat: Double?) {
        let interval = 1 / limit.perSecond
        let tolerance = interval * Double(limit.burst)
        let current = max(tat ?? now, now)
        let newTAT = current + interval * Double(cost)
        let allowAt = newTAT - tolerance
        // The tolerance absorbs floating-point error, so a full burst is never refused by 1e-13 s.
        if now + 1e-9 < allowAt {
            let remaining = max(0, Int(((now + tolerance - current) / interval).rounded(.down)))
            return (RateDecision(allowed: false, limit: limit.burst, remaining: remaining, retryAfter: allowAt - now), tat)
        }
        let remaining = max(0, Int(((now + tolerance - newTAT) / interval + 1e-9).rounded(.down)))
        return (RateDecision(allowed: true, limit: limit.burst, remaining: remaining, retryAfter: 0), newTAT)
    }
}
