import VoxworksCore

/// A clock a test can move forward (rotated secrets expire, rate limits
/// refill), or freeze so that a loaded machine cannot refill a rate limit
/// between two requests.
public final class TestClock: Sendable {
    private let offset = LockedBox<Double>(0)
    private let frozenAt = LockedBox<Timestamp?>(nil)

    public init() {}

    public func advance(seconds: Double) { offset.withLock { $0 += seconds } }

    public func freeze() { frozenAt.withLock { $0 = Timestamp.now() } }

    public var now: Timestamp { (frozenAt.value ?? Timestamp.now()).adding(seconds: offset.value) }
}
