import Synchronization

/// Throttles the `last_used_at` writes: a key's use is written at most once
/// per `interval` from each node, so that the API's requests do not each
/// pay for a write. The table is bounded: past `capacity` keys it starts
/// over (the cost is one extra write per key).
final class APIKeyUsage: Sendable {
    private let written = Mutex<[String: Double]>([:])
    private let interval: Double
    private let capacity: Int

    init(interval: Double = 60, capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = capacity
    }

    /// True when the key's use should be written now (and notes that it was).
    func isDue(_ keyHash: String, now: Double) -> Bool {
        written.withLock { table in
            if let last = table[keyHash], now - last < interval { return false }
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[keyHash] = now
            return true
        }
    }
}
