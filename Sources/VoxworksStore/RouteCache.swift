import Synchronization
import VoxworksCore

/// Recently looked-up webhook routes, so that a burst of webhooks to one
/// URL costs one database read and one unsealing of its secrets, not one
/// per request. Only found routes are kept (misses would let a token
/// guesser fill the table). A change made through this store (disable,
/// delete, rotation) clears it at once; a change made by another node is
/// seen within `lifetime`. The generation stops a lookup that read the old
/// row before a change from caching it after the change cleared the table.
public final class RouteCache: Sendable {
    private struct Entry {
        var route: WebhookRoute
        var expires: ContinuousClock.Instant
        /// When the first of its signing secrets ends (the store's clock): a
        /// secret past its grace period must stop working exactly then.
        var keysChangeAt: Timestamp?
    }

    private struct State: ~Copyable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let lifetime: Duration
    private let capacity: Int

    public init(lifetime: Duration = .seconds(1), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The route for `tokenHash`: from the cache, else from `fetch` (which
    /// also says when the first of the route's secrets ends), then cached.
    func route(
        _ tokenHash: String, now: Timestamp, fetch: () async throws -> (WebhookRoute, keysChangeAt: Timestamp?)?
    ) async rethrows -> WebhookRoute? {
        let cached = lookup(tokenHash, now: now)
        if let route = cached.route { return route }
        guard let (route, keysChangeAt) = try await fetch() else { return nil }
        insert(route, keysChangeAt: keysChangeAt, for: tokenHash, generation: cached.generation)
        return route
    }

    /// The cached route, and the generation to hand back to `insert`.
    func lookup(_ tokenHash: String, now storeTime: Timestamp) -> (route: WebhookRoute?, generation: UInt64) {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[tokenHash], entry.expires > now,
                  entry.keysChangeAt.map({ storeTime < $0 }) ?? true
            else { return (nil, state.generation) }
            return (entry.route, state.generation)
        }
    }

    func insert(_ route: WebhookRoute, keysChangeAt: Timestamp?, for tokenHash: String, generation: UInt64) {
        guard lifetime > .zero else { return }
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity {
                state.entries = state.entries.filter { $0.value.expires > now }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[tokenHash] = Entry(route: route, expires: now + lifetime, keysChangeAt: keysChangeAt)
        }
    }

    /// After any change to an automation, its webhook or its secrets.
    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}
