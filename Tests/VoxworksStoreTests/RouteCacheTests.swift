import Foundation
import Testing
import VoxworksCore
@testable import VoxworksStore

/// The webhook route cache: hits, clearing on change, a lookup racing a
/// change, and secrets that end mid-lifetime.
@Suite struct RouteCacheTests {
    static func route(keys: [[UInt8]] = []) -> WebhookRoute {
        WebhookRoute(webhookID: UUID(), automationID: UUID(), teamID: UUID(), rateLimit: .webhookDefault, signingKeys: keys)
    }

    let now = Timestamp(millis: 1_800_000_000_000)

    @Test func aFoundRouteIsServedFromTheCacheUntilAChangeClearsIt() {
        let cache = RouteCache(lifetime: .seconds(60))
        let route = Self.route()
        let first = cache.lookup("hash", now: now)
        #expect(first.route == nil)
        cache.insert(route, keysChangeAt: nil, for: "hash", generation: first.generation)
        #expect(cache.lookup("hash", now: now).route?.webhookID == route.webhookID)
        cache.invalidate()
        #expect(cache.lookup("hash", now: now).route == nil)
    }

    @Test func aLookupThatReadTheRowBeforeAChangeDoesNotCacheIt() {
        let cache = RouteCache(lifetime: .seconds(60))
        let generation = cache.lookup("hash", now: now).generation
        cache.invalidate()  // the automation was disabled while the read was in flight
        cache.insert(Self.route(), keysChangeAt: nil, for: "hash", generation: generation)
        #expect(cache.lookup("hash", now: now).route == nil)
    }

    @Test func anEntryEndsWhenTheFirstOfItsSecretsDoes() {
        let cache = RouteCache(lifetime: .seconds(60))
        let ends = now.adding(seconds: 10)
        cache.insert(Self.route(keys: [[1], [2]]), keysChangeAt: ends, for: "hash", generation: cache.lookup("hash", now: now).generation)
        #expect(cache.lookup("hash", now: now.adding(seconds: 9)).route != nil)
        #expect(cache.lookup("hash", now: ends).route == nil)
    }

    @Test func anEntryEndsAfterItsLifetime() async throws {
        let cache = RouteCache(lifetime: .milliseconds(50))
        cache.insert(Self.route(), keysChangeAt: nil, for: "hash", generation: cache.lookup("hash", now: now).generation)
        #expect(cache.lookup("hash", now: now).route != nil)
        try await Task.sleep(for: .milliseconds(120))
        #expect(cache.lookup("hash", now: now).route == nil)
    }

    @Test func aFullTableMakesRoomInsteadOfGrowing() {
        let cache = RouteCache(lifetime: .seconds(60), capacity: 3)
        for index in 0..<10 {
            cache.insert(Self.route(), keysChangeAt: nil, for: "hash-\(index)", generation: cache.lookup("x", now: now).generation)
        }
        let held = (0..<10).filter { cache.lookup("hash-\($0)", now: now).route != nil }
        #expect(held.count <= 3)
        #expect(held.contains(9))
    }

    @Test func concurrentMissesForOneTokenShareOneRead() async throws {
        let cache = RouteCache(lifetime: .seconds(60))
        let route = Self.route()
        let reads = LockedBox(0)
        let now = self.now
        let found = try await withThrowingTaskGroup(of: UUID?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.route("hash", now: now) {
                        reads.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(100))
                        return (route, nil)
                    }?.webhookID
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(found == Array(repeating: route.webhookID, count: 50))
        #expect(reads.value == 1)
    }

    @Test func aFailedReadIsNotSharedWithThoseWaitingForIt() async throws {
        let cache = RouteCache(lifetime: .seconds(60))
        let route = Self.route()
        let reads = LockedBox(0)
        let now = self.now
        let answers = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        return try await cache.route("hash", now: now) {
                            let read = reads.withLock {
                                $0 += 1; return $0
                            }
                            try await Task.sleep(for: .milliseconds(100))
                            if read == 1 { throw CancellationError() }
                            return (route, nil)
                        } != nil
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // Only the request whose read failed sees the failure.
        #expect(answers.filter { !$0 }.count == 1)
        #expect(answers.filter { $0 }.count == 9)
    }

    @Test func aRequestAfterAChangeDoesNotJoinAReadBegunBeforeIt() async throws {
        let cache = RouteCache(lifetime: .seconds(60))
        let old = Self.route(), new = Self.route()
        let now = self.now
        let first = Task {
            try await cache.route("hash", now: now) {
                try await Task.sleep(for: .milliseconds(300))
                return (old, nil)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        cache.invalidate()  // the webhook changed while the first read was in flight
        let second = try await cache.route("hash", now: now) { (new, nil) }
        #expect(second?.webhookID == new.webhookID)
        #expect(try await first.value?.webhookID == old.webhookID)
        // The read from before the change was not cached over the new one.
        #expect(cache.lookup("hash", now: now).route?.webhookID == new.webhookID)
    }
}
