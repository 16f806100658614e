import Synchronization
import VoxworksCore

/// Recently looked-up webhook routes, so that a burst of webhooks to one
/// URL costs one database read and one unsealing of its secrets, not one
/// per request. Only found routes are kept (misses would let a token
/// guesser fill the table). A change made through this store (disable,
/// delete, rotation) clears it at once; a change made by another node is
/// seen within `lifetime`. The generation stops a lookup that read the old
/// row before a change from caching it after the change cleared the table.
///
/// Concurrent misses for one token share one read (a single flight): when
/// an entry ends under load, or at a burst's start, every request for that
/// URL would otherwise read and unseal the same row at once (a PostgreSQL
/// node saw a few hundred such reads in ten seconds at 64 connections).
public final class RouteCache: Sendable {
    typealias Fetched = (WebhookRoute, keysChangeAt: Timestamp?)
    typealias Shared = Result<Fetched?, any Error>

    /// A read in progress, per token and generation: a read begun before a
    /// change is not joined by a request that arrives after it.
    private struct FlightKey: Hashable {
        var tokenHash: String
        var generation: UInt64
    }

    private struct Entry {
        var route: WebhookRoute
        var expires: ContinuousClock.Instant
        /// When the first of its signing secrets ends (the store's clock): a
        /// secret past its grace period must stop working exactly then.
        var keysChangeAt: Timestamp?

        func isLive(at now: ContinuousClock.Instant, storeTime: Timestamp) -> Bool {
            expires > now && keysChangeAt.map { storeTime < $0 } ?? true
        }
    }

    private struct State: ~Copyable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
        var flights: [FlightKey: [CheckedContinuation<Shared?, Never>]] = [:]
    }

    /// What a request does on its lookup.
    private enum Step {
        case found(WebhookRoute)
        case lead(FlightKey)
        case join(FlightKey)
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
    /// Only one of the concurrent misses for a token calls `fetch`; the
    /// others wait for its answer. If that read fails, each of them reads
    /// for itself (a failure, or a cancelled request, is not shared).
    func route(
        _ tokenHash: String, now: Timestamp, fetch: () async throws -> Fetched?
    ) async throws -> WebhookRoute? {
        while true {
            switch step(tokenHash, now: now) {
            case .found(let route):
                return route
            case .lead(let key):
                let shared: Shared
                do { shared = .success(try await fetch()) } catch { shared = .failure(error) }
                if case .success(let fetched?) = shared {
                    insert(fetched.0, keysChangeAt: fetched.keysChangeAt, for: tokenHash, generation: key.generation)
                }
                let waiting = state.withLock { $0.flights.removeValue(forKey: key) ?? [] }
                for continuation in waiting { continuation.resume(returning: shared) }
                return try shared.get()?.0
            case .join(let key):
                let shared = await withCheckedContinuation { (continuation: CheckedContinuation<Shared?, Never>) in
                    let joined = state.withLock { state -> Bool in
                        guard state.flights[key] != nil else { return false }
                        state.flights[key, default: []].append(continuation)
                        return true
                    }
                    // The read ended between the lookup and here: look again.
                    if !joined { continuation.resume(returning: nil) }
                }
                switch shared {
                case .success(let fetched)?:
                    return fetched?.0
                case .failure?:
                    guard let (route, keysChangeAt) = try await fetch() else { return nil }
                    insert(route, keysChangeAt: keysChangeAt, for: tokenHash, generation: key.generation)
                    return route
                case nil:
                    continue
                }
            }
        }
    }

    /// The cached route, or whether to read it or wait for a read in progress.
    private func step(_ tokenHash: String, now storeTime: Timestamp) -> Step {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let entry = state.entries[tokenHash], entry.isLive(at: now, storeTime: storeTime) {
                return .found(entry.route)
            }
            let key = FlightKey(tokenHash: tokenHash, generation: state.generation)
            if state.flights[key] != nil { return .join(key) }
            state.flights[key] = []
            return .lead(key)
        }
    }

    /// The cached route, and the generation to hand back to `insert` (the
    /// tests' view of the table; `route` decides through `step`).
    func lookup(_ tokenHash: String, now storeTime: Timestamp) -> (route: WebhookRoute?, generation: UInt64) {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[tokenHash], entry.isLive(at: now, storeTime: storeTime) else { return (nil, state.generation) }
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
