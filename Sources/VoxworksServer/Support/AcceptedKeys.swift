import Synchronization

/// SHA-256 hashes of the API keys this node has accepted (over the API or
/// at console sign-in), so that successful authentication is never slowed:
/// an address that has spent its failed-key allowance (`AddressThrottle`)
/// still has a known key looked up, while any other key waits without a
/// lookup. The store still decides: a revoked key fails its lookup, counts
/// as a failure and is forgotten. A guesser gains nothing from the set,
/// since getting past the throttle with it means holding a working key.
///
/// Bounded: when full it starts over instead of growing (keys come back on
/// their next success from an address that is not throttled), so a caller
/// holding many valid keys cannot make it grow without limit.
final class AcceptedKeys: Sendable {
    private let hashes = Mutex<Set<String>>([])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    func contains(_ hash: String) -> Bool { hashes.withLock { $0.contains(hash) } }

    func insert(_ hash: String) {
        hashes.withLock { hashes in
            guard !hashes.contains(hash) else { return }
            if hashes.count >= capacity { hashes.removeAll() }
            hashes.insert(hash)
        }
    }

    func remove(_ hash: String) { _ = hashes.withLock { $0.remove(hash) } }

    var count: Int { hashes.withLock { $0.count } }
}
