import Testing
@testable import VoxworksCore

@Suite("GCRA")
struct GCRATests {
    let limit = RateLimit(perSecond: 10, burst: 5)

    /// Sends `count` requests at `now`, threading the state through.
    private func burst(_ count: Int, at now: Double, tat: Double? = nil, limit: RateLimit? = nil) -> (
        decisions: [RateDecision], tat: Double?
    ) {
        var state = tat
        var decisions: [RateDecision] = []
        for _ in 0..<count {
            let (decision, next) = GCRA.evaluate(tat: state, limit: limit ?? self.limit, now: now)
            decisions.append(decision)
            state = next
        }
        return (decisions, state)
    }

    /// A burst of five, then a refusal (10/s, burst 5), at fixed clock values (the epoch, and a Unix time
    /// in seconds as the server passes it).
    @Test(arguments: [0.0, 1_780_000_000.0])
    func burstOfFiveThenDenied(start: Double) throws {
        let (decisions, _) = burst(6, at: start)
        #expect(decisions.map(\.allowed) == [true, true, true, true, true, false])
        #expect(decisions.map(\.remaining) == [4, 3, 2, 1, 0, 0])
        #expect(decisions.map(\.limit) == [5, 5, 5, 5, 5, 5])
        #expect(decisions.prefix(5).allSatisfy { $0.retryAfter == 0 })
        let denied = try #require(decisions.last)
        #expect(abs(denied.retryAfter - 0.1) < 1e-5, "retryAfter \(denied.retryAfter)")
        #expect(denied.retryAfterHeader == 1)
    }

    /// A rate whose reciprocal overflows (a subnormal `per_second` passes
    /// "greater than 0") once made the arithmetic NaN and trapped: now it is
    /// the slowest rate, one request per `maxInterval`.
    @Test(arguments: [Double.leastNonzeroMagnitude, 1e-308, 1e-300], [1, 1_000_000])
    func aRateTooSmallToInvertNeverTraps(perSecond: Double, burstSize: Int) throws {
        let slow = RateLimit(perSecond: perSecond, burst: burstSize)
        #expect(slow.interval.isFinite && slow.interval <= RateLimit.maxInterval)
        // The first request is allowed at every clock reading: adding an
        // interval of years rounds the arrival time, and without the slack
        // a burst of one was refused about a time in four.
        let readings = (0..<400).map { 1_780_000_000.0 + Double($0) * 0.123_457 }
        let refusals = readings.filter { !GCRA.evaluate(tat: nil, limit: slow, now: $0).decision.allowed }
        #expect(refusals.isEmpty, "refused at \(refusals.prefix(3))")
        let now = 1_780_000_000.0
        let (first, tat) = GCRA.evaluate(tat: nil, limit: slow, now: now)
        #expect(first.allowed)
        #expect(first.remaining == burstSize - 1)
        // Past the burst (the state a long burst reaches), one more is refused.
        let full = now + slow.tolerance
        let (refused, kept) = GCRA.evaluate(tat: full, limit: slow, now: now)
        #expect(!refused.allowed)
        #expect(kept == full)
        #expect(refused.remaining == 0)
        #expect(refused.retryAfterHeader >= Int(slow.interval) - 1)
        #expect(tat.map { $0.isFinite } == true)
    }

    /// Whatever the inputs, the header is a whole number of seconds from 1 up.
    @Test(arguments: [Double.nan, .infinity, -.infinity, -5, 0, 0.2, 1e300])
    func retryAfterHeaderIsAlwaysAWholePositiveNumber(wait: Double) {
        let seconds = RateDecision.wholeSeconds(wait)
        #expect(seconds >= 1)
        #expect(seconds <= Int(RateLimit.maxInterval * 1_000_000))
    }

    @Test(arguments: [0.0, 1_780_000_000.0])
    func oneMoreAfterOneInterval(start: Double) {
        let (first, tat) = burst(5, at: start)
        #expect(first.allSatisfy { $0.allowed })
        let (denied, stateAfterDenial) = GCRA.evaluate(tat: tat, limit: limit, now: start)
        #expect(!denied.allowed)
        // A denied request costs nothing: the state is unchanged.
        #expect(stateAfterDenial == tat)

        let later = start + 0.1
        let (allowed, tat2) = GCRA.evaluate(tat: stateAfterDenial, limit: limit, now: later)
        #expect(allowed.allowed)
        #expect(allowed.remaining == 0)
        let (again, _) = GCRA.evaluate(tat: tat2, limit: limit, now: later)
        #expect(!again.allowed)
        #expect(again.retryAfterHeader == 1)
    }

    /// The same scenario at other clock readings: a full burst must be allowed whatever
    /// the clock reads. Adding the interval five times in floating point can land a
    /// hair above the exact theoretical arrival time, and `evaluate` compares
    /// `now < allowAt` with no tolerance (unlike its `remaining` arithmetic, which
    /// adds 1e-9), so the last request of the burst can be refused.
    @Test(arguments: [1.0, 1000.0, 12_345.678])
    func fullBurstAllowedAtAnyClockReading(start: Double) {
        let (decisions, _) = burst(6, at: start)
        #expect(decisions.map(\.allowed) == [true, true, true, true, true, false])
        #expect(decisions.map(\.remaining) == [4, 3, 2, 1, 0, 0])
    }

    @Test func fullBurstIsBackAfterLongIdle() {
        let start = 1_780_000_000.0
        let (first, tat) = burst(6, at: start)
        #expect(first.map(\.allowed) == [true, true, true, true, true, false])
        let (second, _) = burst(6, at: start + 3600, tat: tat)
        #expect(second.map(\.allowed) == [true, true, true, true, true, false])
        #expect(second.map(\.remaining) == [4, 3, 2, 1, 0, 0])
    }

    @Test func partialRefill() {
        let start = 1_780_000_000.0
        let (_, tat) = burst(5, at: start)
        // 0.25 s later two intervals (0.2 s) have been earned back, not three.
        let (decisions, _) = burst(3, at: start + 0.25, tat: tat)
        #expect(decisions.map(\.allowed) == [true, true, false])
        let denied = decisions[2]
        #expect(abs(denied.retryAfter - 0.05) < 1e-5, "retryAfter \(denied.retryAfter)")
    }

    @Test func unseenKeyStartsWithFullBurstMinusOne() {
        let (decision, tat) = GCRA.evaluate(tat: nil, limit: RateLimit.webhookDefault, now: 1_780_000_000)
        #expect(decision.allowed)
        #expect(decision.limit == 100)
        #expect(decision.remaining == 99)
        #expect(tat == 1_780_000_000 + 0.02)
    }

    @Test func staleStateBehavesLikeAFreshKey() {
        let now = 1_780_000_000.0
        let fresh = GCRA.evaluate(tat: nil, limit: limit, now: now)
        let stale = GCRA.evaluate(tat: now - 100, limit: limit, now: now)
        #expect(fresh.decision == stale.decision)
        #expect(fresh.tat == stale.tat)
    }

    @Test func defaultLimitAllowsExactlyOneHundredAtOnce() {
        let (decisions, _) = burst(101, at: 1_780_000_000.0, limit: .webhookDefault)
        #expect(decisions.prefix(100).allSatisfy { $0.allowed })
        #expect(decisions.prefix(100).map(\.remaining) == Array((0..<100).reversed()))
        #expect(decisions[100].allowed == false)
        #expect(abs(decisions[100].retryAfter - 0.02) < 1e-5)
    }

    @Test func retryAfterHeaderIsWholeSecondsAtLeastOne() {
        func decision(_ retryAfter: Double) -> RateDecision {
            RateDecision(allowed: false, limit: 1, remaining: 0, retryAfter: retryAfter)
        }
        #expect(decision(0).retryAfterHeader == 1)
        #expect(decision(0.001).retryAfterHeader == 1)
        #expect(decision(1).retryAfterHeader == 1)
        #expect(decision(1.01).retryAfterHeader == 2)
        #expect(decision(59.5).retryAfterHeader == 60)
    }

    @Test func slowRateGivesLongRetryAfter() throws {
        // 1 request per minute, burst 1.
        let slow = RateLimit(perSecond: 1.0 / 60, burst: 1)
        let (decisions, _) = burst(2, at: 1_780_000_000.0, limit: slow)
        #expect(decisions.map(\.allowed) == [true, false])
        let denied = try #require(decisions.last)
        #expect(abs(denied.retryAfter - 60) < 1e-3)
        #expect(denied.retryAfterHeader == 60)
    }

    @Test func rateLimitValidity() {
        #expect(RateLimit.webhookDefault == RateLimit(perSecond: 50, burst: 100))
        #expect(RateLimit.webhookDefault.isValid)
        #expect(RateLimit(perSecond: 100_000, burst: 1_000_000).isValid)
        #expect(!RateLimit(perSecond: 0, burst: 5).isValid)
        #expect(!RateLimit(perSecond: -1, burst: 5).isValid)
        #expect(!RateLimit(perSecond: 100_001, burst: 5).isValid)
        #expect(!RateLimit(perSecond: 10, burst: 0).isValid)
        #expect(!RateLimit(perSecond: 10, burst: 1_000_001).isValid)
    }
}
