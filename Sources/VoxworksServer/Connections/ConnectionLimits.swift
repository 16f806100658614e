import Synchronization
import VoxworksCore

/// How many connections a node holds open, in all and per client address
/// (an IPv4 address, or an IPv6 /64, which one host can draw addresses
/// from: counted as `AddressThrottle.key`).
/// Each connection is counted from its setup until its channel closes; one
/// over either cap is not counted and is answered `503` and closed by
/// `ConnectionHygieneHandler`. A cap of 0 turns that cap off.
final class ConnectionLimits: Sendable {
    enum Admission: Equatable {
        case admitted
        case overNodeCap
        case overAddressCap
    }

    let maxConnections: Int
    let maxPerAddress: Int

    private struct State: ~Copyable {
        var total = 0
        var perAddress: [IPAddress: Int] = [:]
        /// Refusals not yet logged, and when the last log line went out.
        var unloggedRefusals = 0
        var lastRefusalLog: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    init(maxConnections: Int, maxPerAddress: Int) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
    }

    /// Counts the connection in when both caps allow it. An admitted
    /// connection must be `release`d with the same address exactly once.
    func admit(_ address: IPAddress?) -> Admission {
        state.withLock { state in
            if maxConnections > 0, state.total >= maxConnections { return .overNodeCap }
            if maxPerAddress > 0, let address = address.map(AddressThrottle.key) {
                let open = state.perAddress[address, default: 0]
                if open >= maxPerAddress { return .overAddressCap }
                state.perAddress[address] = open + 1
            }
            state.total += 1
            return .admitted
        }
    }

    func release(_ address: IPAddress?) {
        state.withLock { state in
            state.total -= 1
            if maxPerAddress > 0, let address = address.map(AddressThrottle.key), let open = state.perAddress[address] {
                // Dropping the entry at zero keeps the table as small as the open connections.
                state.perAddress[address] = open > 1 ? open - 1 : nil
            }
        }
    }

    /// Counts a refusal; answers how many to log now (at most one line a
    /// second, so a client hammering a cap cannot turn each of its
    /// connections into a log line), or nil while they are held back.
    func refusalsToLog(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            state.unloggedRefusals += 1
            if let last = state.lastRefusalLog, now - last < .seconds(1) { return nil }
            defer { state.unloggedRefusals = 0 }
            state.lastRefusalLog = now
            return state.unloggedRefusals
        }
    }

    /// Counted connections (all, and from one address).
    var open: Int { state.withLock { $0.total } }
    func open(from address: IPAddress) -> Int { state.withLock { $0.perAddress[AddressThrottle.key(address), default: 0] } }
}
