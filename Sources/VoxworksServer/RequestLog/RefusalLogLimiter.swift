import Synchronization

/// At most `perSecond` refusal lines a second on this node: a flood of
/// refused webhooks must not become a flood of log lines. The lines held
/// back are counted and reported by the next line allowed ("N refused
/// webhooks not logged").
final class RefusalLogLimiter: Sendable {
    private struct State {
        var second: Int64 = .min
        var lines = 0
        var suppressed = 0
    }

    private let state = Mutex(State())
    private let perSecond: Int

    init(perSecond: Int) {
        self.perSecond = perSecond
    }

    enum Decision: Equatable {
        /// Write the line; `suppressedBefore` lines were held back since the last one written.
        case log(suppressedBefore: Int)
        case suppress
    }

    func decide(nowSeconds: Int64) -> Decision {
        state.withLock { state in
            if state.second != nowSeconds {
                state.second = nowSeconds
                state.lines = 0
            }
            guard state.lines < perSecond else {
                state.suppressed += 1
                return .suppress
            }
            state.lines += 1
            let suppressed = state.suppressed
            state.suppressed = 0
            return .log(suppressedBefore: suppressed)
        }
    }
}
