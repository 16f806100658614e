import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// Bulk replay jobs and `resolved_by`, on every backend.
@Suite struct BulkReplayStoreTests {
    static let now = Timestamp(millis: 1_800_000_000_000)

    /// An execution received at `at` that ended `outcome` (a worker claimed and finished it).
    static func finished(
        _ store: any Store, team: UUID, automation: UUID, at: Timestamp, outcome: ExecutionOutcome, replayOf: UUID? = nil
    ) async throws -> UUID {
        let id = UUID.v7(now: at)
        try await store.insertExecution(
            NewExecution(id: id, teamID: team, automationID: automation, body: Array("{}".utf8), replayOf: replayOf, receivedAt: at))
        let claimed = try #require(try await store.claimExecution(worker: "w", now: at, leaseUntil: at.adding(seconds: 30)))
        #expect(claimed.execution.id == id)
        #expect(try await store.finishTurn(executionID: id, worker: "w", outcome: outcome, now: at))
        return id
    }

    @Test(arguments: StoreKind.available)
    func aJobTakesEachMatchingUnresolvedExecutionOnceAndAKeyAnswersTheSameJob(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store, now: Self.now)
            let team = fixture.team.id
            let other = try await store.createAutomation(
                NewAutomation(
                    id: .v7(), teamID: team, name: "B", enabled: true, definition: AutomationDefinition.emptyJSON, webhookID: .v7(),
                    token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil), now: Self.now)
            var matching: Set<UUID> = []
            for offset in 1...3 {
                matching.insert(
                    try await Self.finished(
                        store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: Double(offset)),
                        outcome: .deadLetter("receiver down")))
            }
            matching.insert(
                try await Self.finished(
                    store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: 4), outcome: .failed("bad")))
            // Not taken: completed, another automation, before the window.
            _ = try await Self.finished(
                store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: 5), outcome: .completed)
            _ = try await Self.finished(store, team: team, automation: other.id, at: Self.now.adding(seconds: 6), outcome: .deadLetter("x"))
            _ = try await Self.finished(
                store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: -10), outcome: .deadLetter("old"))
            let filter = BulkReplayFilter(
                automationID: fixture.automation.id, statuses: [.deadLetter, .failed], createdAfter: Self.now,
                createdBefore: Self.now.adding(seconds: 60))

            #expect(try await store.countBulkReplayMatches(teamID: team, filter: filter, cap: 100) == 4)
            #expect(try await store.countBulkReplayMatches(teamID: team, filter: filter, cap: 2) == 3)
            #expect(
                try await store.createBulkReplay(
                    id: .v7(), teamID: team, idempotencyKey: "k-cap", filter: filter, from: .failedStep, cap: 3, now: Self.now)
                    == .tooMany(cap: 3))

            let id = UUID.v7()
            guard
                case .created(let job) = try await store.createBulkReplay(
                    id: id, teamID: team, idempotencyKey: "k1", filter: filter, from: .failedStep, cap: 100, now: Self.now)
            else {
                Issue.record("the job was not made")
                return
            }
            #expect(job.total == 4 && job.done == 0 && job.failed == 0 && job.status == .running && job.from == .failedStep)
            #expect(job.filter == filter)
            // The same key answers the same job, and takes nothing more.
            let again = try await store.createBulkReplay(
                id: .v7(), teamID: team, idempotencyKey: "k1", filter: filter, from: .start, cap: 100, now: Self.now)
            #expect(again == .existing(job))
            // Another team's key space is its own.
            let stranger = try await store.createTeam(name: "U", now: Self.now)
            guard
                case .created(let strangers) = try await store.createBulkReplay(
                    id: .v7(), teamID: stranger.id, idempotencyKey: "k1", filter: filter, from: .start, cap: 100, now: Self.now)
            else {
                Issue.record("the other team's job was not made")
                return
            }
            #expect(strangers.total == 0 && strangers.status == .completed)
            #expect(try await store.bulkReplay(id: id, teamID: stranger.id) == nil)

            let items = try await store.openBulkReplayItems(bulkID: id, limit: 100)
            #expect(Set(items.map(\.executionID)) == matching)
            #expect(items.allSatisfy { $0.replayID == nil })
        }
    }

    @Test(arguments: StoreKind.available)
    func oneWorkerHoldsAJobAndRecordsItsItemsOnce(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store, now: Self.now)
            let team = fixture.team.id
            var originals: [UUID] = []
            for offset in 1...3 {
                originals.append(
                    try await Self.finished(
                        store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: Double(offset)),
                        outcome: .deadLetter("down")))
            }
            let id = UUID.v7()
            _ = try await store.createBulkReplay(
                id: id, teamID: team, idempotencyKey: nil, filter: BulkReplayFilter(statuses: [.deadLetter]), from: .start, cap: 10,
                now: Self.now)
            let later = Self.now.adding(seconds: 10)
            #expect(try await store.claimBulkReplay(worker: "a", now: later, leaseUntil: later.adding(seconds: 60))?.id == id)
            // Held: nobody else takes it until the lease expires.
            #expect(
                try await store.claimBulkReplay(worker: "b", now: later.adding(seconds: 30), leaseUntil: later.adding(seconds: 90)) == nil)

            let first = try #require(try await store.openBulkReplayItems(bulkID: id, limit: 1).first)
            let chosenID = UUID.v7()
            let chosen = BulkReplayItem(executionID: first.executionID, replayID: chosenID)
            #expect(try await store.chooseBulkReplayIDs(bulkID: id, worker: "a", [chosen]))
            #expect(try await store.chooseBulkReplayIDs(bulkID: id, worker: "b", [chosen]) == false)
            // A chosen id comes back first, so a resumed holder settles it before anything new.
            let open = try await store.openBulkReplayItems(bulkID: id, limit: 10)
            #expect(open.count == 3)
            #expect(open.first == chosen)

            // After the lease expires, b takes over; a's late batch is refused and counts nothing.
            let expired = later.adding(seconds: 61)
            #expect(try await store.claimBulkReplay(worker: "b", now: expired, leaseUntil: expired.adding(seconds: 60))?.id == id)
            #expect(
                try await store.finishBulkReplayItems(
                    bulkID: id, worker: "a", [(first.executionID, .replayed(chosenID))], now: expired,
                    leaseUntil: expired.adding(seconds: 60)) == nil)
            let afterOne = try #require(
                try await store.finishBulkReplayItems(
                    bulkID: id, worker: "b", [(first.executionID, .replayed(chosenID))], now: expired,
                    leaseUntil: expired.adding(seconds: 60)))
            #expect(afterOne.done == 1 && afterOne.status == .running)
            // Recording the same item again counts it once.
            let repeated = try #require(
                try await store.finishBulkReplayItems(
                    bulkID: id, worker: "b", [(first.executionID, .replayed(chosenID))], now: expired,
                    leaseUntil: expired.adding(seconds: 60)))
            #expect(repeated.done == 1)
            let rest = try await store.openBulkReplayItems(bulkID: id, limit: 10)
            #expect(rest.count == 2)
            let ended = try #require(
                try await store.finishBulkReplayItems(
                    bulkID: id, worker: "b",
                    [(rest[0].executionID, .replayed(.v7())), (rest[1].executionID, .failed("The automation was deleted"))],
                    now: expired, leaseUntil: expired.adding(seconds: 60)))
            #expect(ended.status == .completed && ended.done == 2 && ended.failed == 1 && ended.finishedAt == expired)
            #expect(try await store.openBulkReplayItems(bulkID: id, limit: 10).isEmpty)
            #expect(
                try await store.claimBulkReplay(worker: "c", now: expired.adding(seconds: 600), leaseUntil: expired.adding(seconds: 700))
                    == nil)
            // A completed job cannot be cancelled.
            #expect(try await store.cancelBulkReplay(id: id, teamID: team, now: expired)?.status == .completed)
        }
    }

    @Test(arguments: StoreKind.available)
    func aCancelledJobIsHeldByNoOne(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store, now: Self.now)
            let team = fixture.team.id
            for offset in 1...2 {
                _ = try await Self.finished(
                    store, team: team, automation: fixture.automation.id, at: Self.now.adding(seconds: Double(offset)),
                    outcome: .failed("x"))
            }
            let id = UUID.v7()
            _ = try await store.createBulkReplay(
                id: id, teamID: team, idempotencyKey: nil, filter: BulkReplayFilter(statuses: [.failed]), from: .start, cap: 10,
                now: Self.now)
            let later = Self.now.adding(seconds: 10)
            #expect(try await store.claimBulkReplay(worker: "a", now: later, leaseUntil: later.adding(seconds: 60)) != nil)
            let cancelled = try #require(try await store.cancelBulkReplay(id: id, teamID: team, now: later))
            #expect(cancelled.status == .cancelled && cancelled.finishedAt == later)
            let item = try #require(try await store.openBulkReplayItems(bulkID: id, limit: 1).first)
            #expect(
                try await store.finishBulkReplayItems(
                    bulkID: id, worker: "a", [(item.executionID, .replayed(.v7()))], now: later, leaseUntil: later) == nil)
            #expect(
                try await store.claimBulkReplay(worker: "b", now: later.adding(seconds: 600), leaseUntil: later.adding(seconds: 700)) == nil
            )
            #expect(try await store.bulkReplay(id: id, teamID: team)?.done == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func aCompletedReplayResolvesItsOriginalAndOnlyOpenDeadLettersCount(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store, now: Self.now)
            let (team, automation) = (fixture.team.id, fixture.automation.id)
            let first = try await Self.finished(
                store, team: team, automation: automation, at: Self.now.adding(seconds: 1), outcome: .deadLetter("down"))
            let second = try await Self.finished(
                store, team: team, automation: automation, at: Self.now.adding(seconds: 2), outcome: .deadLetter("down"))
            #expect(try await store.queueStats(now: Self.now.adding(seconds: 3)).deadLetters == 2)

            // A replay that fails again resolves nothing.
            _ = try await Self.finished(
                store, team: team, automation: automation, at: Self.now.adding(seconds: 3), outcome: .deadLetter("still down"),
                replayOf: first)
            #expect(try await store.execution(id: first, teamID: team)?.resolvedBy == nil)
            #expect(try await store.queueStats(now: Self.now.adding(seconds: 4)).deadLetters == 3)

            let replay = try await Self.finished(
                store, team: team, automation: automation, at: Self.now.adding(seconds: 4), outcome: .completed, replayOf: first)
            let resolved = try #require(try await store.execution(id: first, teamID: team))
            #expect(resolved.resolvedBy == replay)
            #expect(resolved.status == .deadLetter)
            #expect(try await store.execution(id: replay, teamID: team)?.replayOf == first)
            #expect(try await store.execution(id: second, teamID: team)?.resolvedBy == nil)
            let listed = try await store.executions(teamID: team, query: ExecutionQuery(limit: 10))
            #expect(listed.first { $0.id == first }?.resolvedBy == replay)
            // The first replay to complete wins; a later one changes nothing.
            let later = try await Self.finished(
                store, team: team, automation: automation, at: Self.now.adding(seconds: 5), outcome: .completed, replayOf: first)
            #expect(try await store.execution(id: first, teamID: team)?.resolvedBy == replay)
            #expect(later != replay)
            // Open: `second` and the replay that failed; `first` is resolved.
            #expect(try await store.queueStats(now: Self.now.adding(seconds: 6)).deadLetters == 2)
            // A resolved execution is not taken by a bulk replay again.
            #expect(
                try await store.countBulkReplayMatches(
                    teamID: team, filter: BulkReplayFilter(automationID: automation, statuses: [.deadLetter]), cap: 10) == 2)
        }
    }
}
