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

    /// The longest interval the arithmetic uses, about 31 years. A valid rate
    /// can be as small as the smallest positive `Double`, whose reciprocal is
    /// infinite; infinity minus infinity is NaN, and converting NaN to an
    /// `Int` traps. A rate that slow is the same to every caller as this one.
    public static let maxInterval: Double = 1e9

    /// Seconds between requests at the sustained rate, finite and positive.
    public var interval: Double {
        let reciprocal = 1 / perSecond
        return reciprocal.isFinite && reciprocal > 0 ? min(reciprocal, Self.maxInterval) : Self.maxInterval
    }

    /// How far ahead of now the arrival time may run: the burst's worth of intervals.
    public var tolerance: Double { interval * Double(burst) }

    /// The tolerance the allow-or-refuse comparison uses at `now`, with a
    /// few units in the last place of the arrival time added. The
    /// arithmetic runs on Unix times in seconds: adding an interval of
    /// years moves past the clock's binade, and `(now + interval) -
    /// interval` can then come back a unit (about 5e-7 s) above `now`,
    /// which refused the first request of a burst of one at the slowest
    /// rates about a time in four.
    public func tolerance(at now: Double) -> Double {
        tolerance + 4 * (now + interval).ulp
    }

    /// Whole requests that fit in `allowance` seconds, from 0 to the burst:
    /// floating-point error (or a corrupt stored arrival time) never makes it
    /// negative, larger than the burst, or a trap.
    public func requests(fitting allowance: Double) -> Int {
        let count = (allowance / interval).rounded(.down)
        guard count.isFinite else { return count > 0 ? burst : 0 }
        return Int(min(max(count, 0), Double(burst)))
    }
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
    public var retryAfterHeader: Int { RateDecision.wholeSeconds(retryAfter) }

    /// Seconds rounded up, at least 1 and at most `RateLimit.maxInterval`
    /// times the largest burst (finite, so the conversion never traps).
    public static func wholeSeconds(_ seconds: Double) -> Int {
        let ceiling = RateLimit.maxInterval * 1_000_000
        guard seconds.isFinite else { return seconds > 0 ? Int(ceiling) : 1 }
        return max(1, Int(min(seconds.rounded(.up), ceiling)))
    }
}

/// The Generic Cell Rate Algorithm: one number of state per key (the
/// theoretical arrival time), exact at any rate, and the same arithmetic can
/// run in a single SQL statement when the state lives in a shared database.
public enum GCRA {
    /// Decides one request at `now` (seconds) and returns the new state.
    /// `tat` is nil for a key never seen.
    public static func evaluate(tat: Double?, limit: RateLimit, now: Double, cost: Int = 1) -> (decision: RateDecision, tat: Double?) {
        let interval = limit.interval
        let tolerance = limit.tolerance
        let current = max(tat ?? now, now)
        let newTAT = current + interval * Double(cost)
        let allowAt = newTAT - limit.tolerance(at: now)
        // The slack absorbs floating-point error, so a full burst is never refused by 1e-13 s.
        if now + 1e-9 < allowAt {
            let remaining = limit.requests(fitting: now + tolerance - current)
            return (RateDecision(allowed: false, limit: limit.burst, remaining: remaining, retryAfter: allowAt - now), tat)
        }
        let remaining = limit.requests(fitting: now + tolerance - newTAT + interval * 1e-9)
        return (RateDecision(allowed: true, limit: limit.burst, remaining: remaining, retryAfter: 0), newTAT)
    }
}
