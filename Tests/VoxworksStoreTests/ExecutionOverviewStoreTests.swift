import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// The console overview's counts and percentiles, and the execution list's
/// console filters, on every store.
@Suite struct ExecutionOverviewStoreTests {
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    /// One webhook received at `at` (with `key` as its Idempotency-Key), claimed, and, with
    /// `outcome`, finished at `finishedAt`. Its id.
    @discardableResult
    static func execution(
        _ store: any Store, _ route: WebhookRoute, at: Timestamp, key: String? = nil, outcome: ExecutionOutcome?,
        finishedAt: Timestamp? = nil
    ) async throws -> UUID {
        let body = Array("{}".utf8)
        let request = IngestRequest(
            executionID: .v7(now: at), route: route, body: body, contentType: "application/json", idempotencyKey: key,
            fingerprint: key.map { _ in IdempotencyKey.fingerprint(of: body) }, sourceAddress: "127.0.0.1", receivedAt: at,
            backlogLimit: 100_000, idempotencyTTL: 86_400)
        _ = try await store.commitIngest([request])
        guard let outcome, let finishedAt else { return request.executionID }
        let claimed = try #require(try await store.claimExecution(worker: "w", now: at, leaseUntil: at.adding(seconds: 30)))
        #expect(claimed.execution.id == request.executionID)
        try await store.finishTurn(executionID: claimed.execution.id, worker: "w", outcome: outcome, now: finishedAt)
        return request.executionID
    }

    @Test(arguments: StoreKind.available)
    func theOverviewCountsByHourAndTakesNearestRankPercentiles(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store)
            let other = try await WebhookFixture.make(in: store)
            // A window of 24 whole hours, ending well in the past so that no clock reading matters.
            let since = Timestamp(millis: (Timestamp.now().millis / Self.hour - 48) * Self.hour)
            let until = Timestamp(millis: since.millis + 24 * Self.hour)
            func at(_ millis: Int64) -> Timestamp { Timestamp(millis: since.millis + millis) }
            let route = fixture.route
            // Received in hour 0, completed 200 ms later.
            try await Self.execution(store, route, at: at(10 * Self.minute), outcome: .completed, finishedAt: at(10 * Self.minute + 200))
            // Received in hour 1, failed 1 s later.
            try await Self.execution(
                store, route, at: at(Self.hour + 5 * Self.minute), outcome: .failed("boom"),
                finishedAt: at(Self.hour + 5 * Self.minute + 1000))
            // Received in hour 2, dead-lettered in hour 3 (3,660,000 ms).
            try await Self.execution(
                store, route, at: at(2 * Self.hour), outcome: .deadLetter("gone"),
                finishedAt: at(3 * Self.hour + Self.minute))
            // Received before the window, completed in hour 0 (5,400,000 ms): finished, not received.
            try await Self.execution(store, route, at: at(-Self.hour), outcome: .completed, finishedAt: at(30 * Self.minute))
            // Outside the window, or another team's: not counted.
            try await Self.execution(store, route, at: at(24 * Self.hour), outcome: .completed, finishedAt: at(24 * Self.hour + 5))
            try await Self.execution(store, other.route, at: at(Self.hour), outcome: .completed, finishedAt: at(Self.hour + 5))

            // Each above was claimed as soon as it came; these two stay queued.
            // Received in hour 5 and still pending.
            let pending = try await Self.execution(store, route, at: at(5 * Self.hour), outcome: nil)
            // A replay in hour 6: received, but not a webhook request.
            try await store.insertExecution(
                NewExecution(
                    id: .v7(now: at(6 * Self.hour)), teamID: fixture.team.id, automationID: fixture.automation.id, body: [],
                    replayOf: pending, receivedAt: at(6 * Self.hour)))
            let overview = try await store.executionOverview(teamID: fixture.team.id, since: since, until: until)
            #expect(overview.hours.count == 24)
            #expect(overview.hours.first?.start == since && overview.hours.last?.start == at(23 * Self.hour))
            #expect(overview.received == 5)
            #expect(overview.webhooks == 4)
            #expect(overview.completed == 2 && overview.failed == 1 && overview.deadLettered == 1)
            #expect(overview.hours[0] == ExecutionOverviewHour(start: since, received: 1, webhooks: 1, completed: 2))
            #expect(overview.hours[1] == ExecutionOverviewHour(start: at(Self.hour), received: 1, webhooks: 1, failed: 1))
            #expect(overview.hours[2].received == 1 && overview.hours[2].deadLettered == 0)
            #expect(overview.hours[3].deadLettered == 1 && overview.hours[3].received == 0)
            #expect(overview.hours[6] == ExecutionOverviewHour(start: at(6 * Self.hour), received: 1, webhooks: 0))
            // Durations 200, 1,000, 3,660,000, 5,400,000: nearest rank 2 of 4 and 4 of 4.
            #expect(overview.p50Millis == 1000)
            #expect(overview.p99Millis == 5_400_000)

            let empty = try await store.executionOverview(teamID: fixture.team.id, since: at(10 * Self.hour), until: at(12 * Self.hour))
            #expect(empty.hours.count == 2 && empty.received == 0 && empty.completed == 0)
            #expect(empty.p50Millis == nil && empty.p99Millis == nil)
            // A window longer than a week is cut to a week.
            let long = try await store.executionOverview(teamID: fixture.team.id, since: since, until: at(1000 * Self.hour))
            #expect(long.hours.count == ExecutionOverview.maxHours)
        }
    }

    @Test func theLowestIDSortsBelowEveryIDMadeFromThatMillisecondOn() {
        let since = Timestamp(millis: 1_765_000_000_123)
        let bound = ExecutionOverview.lowestID(receivedSince: since)
        var checked = 0
        for offset in [0, 1, 999, 86_400_000] as [Int64] {
            let id = UUID.v7(now: Timestamp(millis: since.millis + offset)).lowercased
            #expect(id >= bound, "\(id) < \(bound)")
            checked += 1
        }
        let earlier = UUIDv7Generator().next(nowMillis: UInt64(since.millis - 1)).lowercased
        #expect(earlier < bound)
        #expect(checked == 4)
        #expect(ExecutionOverview.rankOffset(0.5, count: 4) == 1 && ExecutionOverview.rankOffset(0.99, count: 4) == 3)
        #expect(ExecutionOverview.rankOffset(0.5, count: 1) == 0 && ExecutionOverview.rankOffset(0.99, count: 200) == 197)
    }

    @Test(arguments: StoreKind.available)
    func theExecutionListFiltersByIdempotencyKeyAndReceivedTime(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store)
            let base = Timestamp(millis: (Timestamp.now().millis / Self.hour - 10) * Self.hour)
            let first = try await Self.execution(store, fixture.route, at: base, key: "form-1001", outcome: nil)
            let second = try await Self.execution(store, fixture.route, at: base.adding(seconds: 3600), key: "form-1002", outcome: nil)
            let third = try await Self.execution(store, fixture.route, at: base.adding(seconds: 7200), outcome: nil)
            let team = fixture.team.id
            #expect(try await store.executions(teamID: team, query: ExecutionQuery(idempotencyKey: "form-1001")).map(\.id) == [first])
            #expect(try await store.executions(teamID: team, query: ExecutionQuery(idempotencyKey: "form-100")).isEmpty)
            let window = ExecutionQuery(createdAfter: base.adding(seconds: 1800), createdBefore: base.adding(seconds: 7200))
            #expect(try await store.executions(teamID: team, query: window).map(\.id) == [second])
            let sinceFirst = ExecutionQuery(createdAfter: base)
            #expect(try await store.executions(teamID: team, query: sinceFirst).map(\.id) == [third, second, first])
            var both = ExecutionQuery(status: .pending, createdAfter: base.adding(seconds: 1))
            both.idempotencyKey = "form-1002"
            #expect(try await store.executions(teamID: team, query: both).map(\.id) == [second])
        }
    }
}
