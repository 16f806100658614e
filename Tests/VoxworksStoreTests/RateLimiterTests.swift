import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport
import VoxworksRuntime

/// The rate limiter of each backend: in memory for SQLite, in the shared
/// database for PostgreSQL, where concurrent requests are decided in
/// batches. Either way the answers must be GCRA's, request by request.
@Suite struct RateLimiterTests {
    private func limiter(_ kind: StoreKind) async throws -> (any RateLimiter, any Store) {
        let (store, _, _) = try await kind.makeStore()
        if let postgres = store as? PostgresStore {
            return (PostgresRateLimiter(store: postgres), store)
        }
        return (LocalRateLimiter(), store)
    }

    private func acquireAll(_ limiter: any RateLimiter, _ requests: [(RateLimitKey, RateLimit)], now: Double) async throws -> [RateDecision]
    {
        try await withThrowingTaskGroup(of: (Int, RateDecision).self) { group in
            for (index, (key, limit)) in requests.enumerated() {
                group.addTask { (index, try await limiter.acquire(key: key, limit: limit, now: now)) }
            }
            var decisions = [RateDecision?](repeating: nil, count: requests.count)
            for try await (index, decision) in group { decisions[index] = decision }
            return decisions.compactMap { $0 }
        }
    }

    @Test(arguments: StoreKind.available)
    func aBurstOfConcurrentRequestsGetsExactlyTheBurst(_ kind: StoreKind) async throws {
        let (limiter, _) = try await limiter(kind)
        let key = RateLimitKey.webhook(UUID())
        let limit = RateLimit(perSecond: 1, burst: 10)
        let decisions = try await acquireAll(limiter, Array(repeating: (key, limit), count: 100), now: 1_000)
        let allowed = decisions.filter(\.allowed)
        #expect(decisions.count == 100)
        #expect(allowed.count == 10)
        // Each allowed request saw one fewer left than the one before it.
        #expect(allowed.map(\.remaining).sorted() == Array(0...9))
        for refused in decisions where !refused.allowed {
            #expect(refused.remaining == 0)
            #expect(abs(refused.retryAfter - 1) < 1e-6)
        }
    }

    @Test(arguments: StoreKind.available)
    func keysInOneBatchAreIndependent(_ kind: StoreKind) async throws {
        let (limiter, _) = try await limiter(kind)
        let a = RateLimitKey.webhook(UUID()), b = RateLimitKey.team(UUID())
        let small = RateLimit(perSecond: 2, burst: 3), large = RateLimit(perSecond: 5, burst: 7)
        var requests: [(RateLimitKey, RateLimit)] = []
        for _ in 0..<20 { requests += [(a, small), (b, large)] }
        let decisions = try await acquireAll(limiter, requests, now: 50)
        let allowedA = zip(requests, decisions).filter { $0.0.0 == a && $0.1.allowed }.count
        let allowedB = zip(requests, decisions).filter { $0.0.0 == b && $0.1.allowed }.count
        #expect(allowedA == 3)
        #expect(allowedB == 7)
    }

    @Test(arguments: StoreKind.available)
    func sequentialRequestsGetGCRAsAnswers(_ kind: StoreKind) async throws {
        let (limiter, _) = try await limiter(kind)
        let key = RateLimitKey.apiKey("k-\(UUID())")
        let limit = RateLimit(perSecond: 4, burst: 3)
        var tat: Double?
        // Bursts, waits shorter and longer than the interval, and a pause.
        for now in [10.0, 10.0, 10.0, 10.0, 10.1, 10.3, 10.5, 10.5, 11.0, 20.0, 20.0, 20.01] {
            let expected = GCRA.evaluate(tat: tat, limit: limit, now: now)
            tat = expected.tat
            let decision = try await limiter.acquire(key: key, limit: limit, now: now)
            #expect(decision.allowed == expected.decision.allowed, "at \(now)")
            #expect(decision.remaining == expected.decision.remaining, "at \(now)")
            #expect(abs(decision.retryAfter - expected.decision.retryAfter) < 1e-6, "at \(now)")
        }
    }

    /// A webhook's limit then its team's, as the hooks endpoint asks: the
    /// team is charged only for requests the webhook's limit let through,
    /// and a refusal ends the answer.
    @Test(arguments: StoreKind.available)
    func aSecondCheckIsDecidedAndChargedOnlyAfterTheFirstAllows(_ kind: StoreKind) async throws {
        let (limiter, _) = try await limiter(kind)
        let webhook = RateLimitKey.webhook(UUID()), team = RateLimitKey.team(UUID())
        let webhookLimit = RateLimit(perSecond: 1, burst: 2), teamLimit = RateLimit(perSecond: 1, burst: 3)
        let checks = [RateLimitCheck(key: webhook, limit: webhookLimit), RateLimitCheck(key: team, limit: teamLimit)]
        let answers = try await withThrowingTaskGroup(of: [RateDecision].self) { group in
            for _ in 0..<10 { group.addTask { try await limiter.acquire(checks, now: 100) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Two got through both limits; eight stopped at the webhook's, with no team decision.
        #expect(answers.filter { $0.count == 2 && $0.allSatisfy(\.allowed) }.count == 2)
        #expect(answers.filter { $0.count == 1 && !$0[0].allowed }.count == 8)
        #expect(answers.map(\.count).reduce(0, +) == 12)
        // The team was charged twice: one of its three is left.
        let team1 = try await limiter.acquire(key: team, limit: teamLimit, now: 100)
        #expect(team1.allowed && team1.remaining == 0)
        #expect(try await limiter.acquire(key: team, limit: teamLimit, now: 100).allowed == false)
    }

    /// Many webhooks under one team ceiling, concurrently (so, on
    /// PostgreSQL, in shared batches): each webhook lets its burst through,
    /// the team lets exactly its own through, and every answer is complete.
    @Test(arguments: StoreKind.available)
    func concurrentChainsShareTheTeamCeilingExactly(_ kind: StoreKind) async throws {
        let (limiter, _) = try await limiter(kind)
        let team = RateLimitKey.team(UUID())
        let webhooks = (0..<4).map { _ in RateLimitKey.webhook(UUID()) }
        let webhookLimit = RateLimit(perSecond: 1, burst: 5), teamLimit = RateLimit(perSecond: 1, burst: 13)
        let answers = try await withThrowingTaskGroup(of: (Int, [RateDecision]).self) { group in
            for _ in 0..<15 {
                for (index, webhook) in webhooks.enumerated() {
                    group.addTask {
                        (
                            index,
                            try await limiter.acquire(
                                [RateLimitCheck(key: webhook, limit: webhookLimit), RateLimitCheck(key: team, limit: teamLimit)], now: 7)
                        )
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for index in webhooks.indices {
            #expect(answers.filter { $0.0 == index && $0.1.first?.allowed == true }.count == 5, "webhook \(index)")
        }
        #expect(answers.filter { $0.1.count == 2 && $0.1[1].allowed }.count == 13)
        #expect(answers.filter { $0.1.count == 2 && !$0.1[1].allowed }.count == 20 - 13)
        #expect(answers.allSatisfy { $0.1.count == ($0.1[0].allowed ? 2 : 1) })
    }

    /// A batch whose call hangs (here: its row held by another session) is
    /// answered with an error at the deadline instead of holding every later
    /// request behind it, and the limiter works again once the row is free.
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func aHungCallTimesOutAndTheLimiterRecovers() async throws {
        let (store, _, _) = try await StoreKind.postgres.makeStore()
        let postgres = try #require(store as? PostgresStore)
        let limiter = PostgresRateLimiter(store: postgres, callDeadline: .seconds(1))
        let team = UUID()
        let limit = RateLimit(perSecond: 100, burst: 100)
        #expect(try await limiter.acquire(key: .team(team), limit: limit, now: 10).allowed)
        let holder = Task {
            try await postgres.execute(
                """
                WITH locked AS MATERIALIZED (SELECT key FROM rate_limits WHERE key = 'team:\(team.lowercased)' FOR UPDATE)
                SELECT pg_sleep(10) FROM locked
                """)
        }
        // Generous waits and bounds for a loaded machine: the lock is held
        // about 8.5 s past `started`, so a call that waited for it instead
        // of its 1 s deadline would still fail the 6 s bound.
        try await Task.sleep(for: .milliseconds(1_500))
        let started = ContinuousClock.now
        await #expect(throws: PostgresRateLimiterError.self) {
            _ = try await limiter.acquire(key: .team(team), limit: limit, now: 11)
        }
        #expect(ContinuousClock.now - started < .seconds(6))
        try await holder.value
        #expect(try await limiter.acquire(key: .team(team), limit: limit, now: 12).allowed)
    }

    /// Two nodes on one PostgreSQL database share one limit.
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func nodesSharingADatabaseShareTheLimit() async throws {
        let url = try await PostgresTestDatabase.newSchemaURL()
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let first = try await StoreKind.postgres.open(directory: FileManager.default.temporaryDirectory, secretBox: box, postgresURL: url)
        let second = try await StoreKind.postgres.open(directory: FileManager.default.temporaryDirectory, secretBox: box, postgresURL: url)
        let limiters = try [first.store, second.store].map { store in
            guard let postgres = store as? PostgresStore else { throw CocoaError(.featureUnsupported) }
            return PostgresRateLimiter(store: postgres)
        }
        let key = RateLimitKey.team(UUID())
        let limit = RateLimit(perSecond: 1, burst: 20)
        async let one = acquireAll(limiters[0], Array(repeating: (key, limit), count: 60), now: 500)
        async let two = acquireAll(limiters[1], Array(repeating: (key, limit), count: 60), now: 500)
        let decisions = try await one + two
        #expect(decisions.filter(\.allowed).count == 20)
    }
}
