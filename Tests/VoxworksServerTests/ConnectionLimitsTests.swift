import Testing
@testable import VoxworksServer

/// The connection caps' bookkeeping, without sockets.
@Suite struct ConnectionLimitsTests {
    @Test func capsAdmitReleaseAndNeverLeak() {
        let limits = ConnectionLimits(maxConnections: 3, maxPerAddress: 2)
        #expect(limits.admit("10.0.0.1") == .admitted)
        #expect(limits.admit("10.0.0.1") == .admitted)
        #expect(limits.admit("10.0.0.1") == .overAddressCap)
        #expect(limits.admit("10.0.0.2") == .admitted)
        #expect(limits.admit("10.0.0.3") == .overNodeCap)
        #expect(limits.open == 3)
        limits.release("10.0.0.1")
        #expect(limits.open(from: "10.0.0.1") == 1)
        #expect(limits.admit("10.0.0.3") == .admitted)
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] { limits.release(address) }
        #expect(limits.open == 0)
        #expect(limits.open(from: "10.0.0.1") == 0)
    }

    /// A client hammering a cap must not turn each connection into a log line.
    @Test func refusalsAreLoggedAtMostOnceASecondWithTheirCount() {
        let limits = ConnectionLimits(maxConnections: 1, maxPerAddress: 1)
        let start = ContinuousClock.now
        #expect(limits.refusalsToLog(now: start) == 1)
        var held = 0
        for step in 1...999 where limits.refusalsToLog(now: start + .milliseconds(step)) == nil { held += 1 }
        #expect(held == 999)
        #expect(limits.refusalsToLog(now: start + .milliseconds(1_001)) == 1_000)
        #expect(limits.refusalsToLog(now: start + .milliseconds(1_002)) == nil)
    }
}
