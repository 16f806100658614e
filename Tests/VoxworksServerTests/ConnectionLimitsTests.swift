import Testing
import VoxworksCore
@testable import VoxworksServer

/// The connection caps' bookkeeping, without sockets.
@Suite struct ConnectionLimitsTests {
    @Test func capsAdmitReleaseAndNeverLeak() throws {
        let limits = ConnectionLimits(maxConnections: 3, maxPerAddress: 2)
        #expect(limits.admit(IPAddress("10.0.0.1")) == .admitted)
        #expect(limits.admit(IPAddress("10.0.0.1")) == .admitted)
        #expect(limits.admit(IPAddress("10.0.0.1")) == .overAddressCap)
        #expect(limits.admit(IPAddress("10.0.0.2")) == .admitted)
        #expect(limits.admit(IPAddress("10.0.0.3")) == .overNodeCap)
        #expect(limits.open == 3)
        limits.release(IPAddress("10.0.0.1"))
        #expect(limits.open(from: try #require(IPAddress("10.0.0.1"))) == 1)
        #expect(limits.admit(IPAddress("10.0.0.3")) == .admitted)
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] { limits.release(IPAddress(address)) }
        #expect(limits.open == 0)
        #expect(limits.open(from: try #require(IPAddress("10.0.0.1"))) == 0)
    }

    /// One host can draw a fresh address from its IPv6 /64 for every
    /// connection: the per-address cap counts the /64.
    @Test func anIPv6Slash64SharesOnePerAddressCap() throws {
        let limits = ConnectionLimits(maxConnections: 100, maxPerAddress: 2)
        #expect(limits.admit(IPAddress("2001:db8:1:2::1")) == .admitted)
        #expect(limits.admit(IPAddress("2001:db8:1:2::ffff")) == .admitted)
        #expect(limits.admit(IPAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == .overAddressCap)
        #expect(limits.admit(IPAddress("2001:db8:1:3::1")) == .admitted)
        // A mapped IPv4 peer counts as its IPv4 address.
        #expect(limits.admit(IPAddress("::ffff:10.0.0.9")) == .admitted)
        #expect(limits.admit(IPAddress("10.0.0.9")) == .admitted)
        #expect(limits.admit(IPAddress("10.0.0.9")) == .overAddressCap)
        limits.release(IPAddress("2001:db8:1:2::1"))
        #expect(limits.open(from: try #require(IPAddress("2001:db8:1:2::abcd"))) == 1)
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
