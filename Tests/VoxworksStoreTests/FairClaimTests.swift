import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing
@testable import VoxworksStore
import VoxworksCore
import VoxworksTestSupport

/// Fair claims (teams, then automations, round-robin; FIFO within an
/// automation) and concurrency caps, on each store.
@Suite struct FairClaimTests {
    static let now = Timestamp(millis: 1_800_000_000_000)
    static var lease: Timestamp { now.adding(seconds: 300) }

    /// A team with automations, on `store`.
    struct Tenant {
        let team: Team
        let automations: [Automation]

        static func make(in store: any Store, automations count: Int = 1, concurrency: Int? = nil) async throws -> Tenant {
            let team = try await store.createTeam(name: "T", now: FairClaimTests.now)
            var made: [Automation] = []
            var definition = AutomationDefinition.emptyJSON
            if let concurrency, case .object(var object) = definition {
                object["concurrency"] = .number(String(concurrency))
                definition = .object(object)
            }
            for index in 0..<count {
                made.append(
                    try await store.createAutomation(
                        NewAutomation(
                            id: .v7(), teamID: team.id, name: "A\(index)", enabled: true, definition: definition,
                            webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
                        now: FairClaimTests.now))
            }
            return Tenant(team: team, automations: made)
        }

        /// A new pending execution of automation `index`, received (and due) at `at`.
        @discardableResult
        func enqueue(in store: any Store, automation index: Int = 0, at: Timestamp = FairClaimTests.now, id: UUID = .v7()) async throws
            -> UUID
        {
            try await store.insertExecution(
                NewExecution(
                    id: id, teamID: team.id, automationID: automations[index].id, body: Array("{}".utf8), receivedAt: at))
            return id
        }
    }

    /// Runs SQL on the store's database directly (test setup: 100,000 rows
    /// through the ingest path would take minutes on a debug build).
    static func execute(_ store: any Store, _ sql: String) async throws {
        if let sqlite = store as? SQLiteStore {
            try await sqlite.pool.write { db in try db.execute(sql: sql) }
        } else if let postgres = store as? PostgresStore {
            try await postgres.execute(sql)
        }
    }

    /// A count read directly from the database.
    static func count(_ store: any Store, _ sql: String) async throws -> Int {
        if let sqlite = store as? SQLiteStore {
            return try await sqlite.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
        }
        let postgres = try #require(store as? PostgresStore)
        for try await value in try await postgres.client.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")).decode(
            Int64.self)
        {
            return Int(value)
        }
        return -1
    }

    /// `count` pending executions of `automation`, received an hour before
    /// `now` plus `offset` ms (ids that sort before every `UUID.v7` made now).
    static func bulkInsert(_ store: any Store, _ tenant: Tenant, automation: Int = 0, count: Int, runAt: Timestamp, prefix: String)
        async throws
    {
        let team = tenant.team.id.lowercased
        let automationID = tenant.automations[automation].id.lowercased
        let received = now.millis - 3_600_000
        if store is SQLiteStore {
            try await execute(
                store,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
                INSERT INTO executions (id, team_id, automation_id, status, body, content_type, received_at, run_at)
                SELECT printf('\(prefix)-0000-7000-8000-%012d', i), '\(team)', '\(automationID)', 'pending', x'7b7d', 'application/json',
                    \(received), \(runAt.millis) FROM n
                """)
        } else {
            try await execute(
                store,
                """
                INSERT INTO executions (id, team_id, automation_id, status, body, content_type, received_at, run_at)
                SELECT '\(prefix)-0000-7000-8000-' || lpad(i::text, 12, '0'), '\(team)', '\(automationID)', 'pending', '\\x7b7d'::bytea,
                    'application/json', \(received), \(runAt.millis) FROM generate_series(1, \(count)) AS i
                """)
        }
    }

    static func claim(_ store: any Store, worker: String = "w", at: Timestamp = now) async throws -> ClaimedExecution? {
        try await store.claimExecution(worker: worker, now: at, leaseUntil: at.adding(seconds: 300))
    }

    @Test(arguments: StoreKind.available)
    func aHundredThousandPendingOfOneTeamDelayAnotherTeamByOneRoundAtMost(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let busy = try await Tenant.make(in: store, concurrency: 10_000)
            let other = try await Tenant.make(in: store)
            try await Self.bulkInsert(
                store, busy, count: 100_000, runAt: Timestamp(millis: Self.now.millis - 3_600_000), prefix: "00000000")
            let backlog = try await Self.count(
                store, "SELECT count(*) FROM executions WHERE status = 'pending' AND team_id = '\(busy.team.id.lowercased)'")
            #expect(backlog == 100_000)
            // The busy team is being served (the cursor is on it) ...
            for _ in 0..<3 {
                let claimed = try #require(try await Self.claim(store))
                #expect(claimed.execution.teamID == busy.team.id)
            }
            // ... when the other team's execution arrives, newer than the whole backlog.
            let fresh = try await other.enqueue(in: store)
            var next: [UUID] = []
            let started = ContinuousClock.now
            for _ in 0..<2 {
                next.append(try #require(try await Self.claim(store)).execution.id)
            }
            let elapsed = ContinuousClock.now - started
            #expect(next.contains(fresh))
            print("fair claim [\(kind)]: 2 claims beside a 100,000-row backlog took \(elapsed)")
        }
    }

    @Test(arguments: StoreKind.available)
    func theAutomationsOfATeamTakeTurns(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let tenant = try await Tenant.make(in: store, automations: 3)
            // The first automation has a backlog of its own, queued first.
            for _ in 0..<6 { try await tenant.enqueue(in: store, automation: 0, at: Timestamp(millis: Self.now.millis - 60_000)) }
            for index in 1...2 { try await tenant.enqueue(in: store, automation: index) }
            var order: [UUID] = []
            for _ in 0..<5 {
                order.append(try #require(try await Self.claim(store)).execution.automationID)
            }
            let ids = tenant.automations.map(\.id)
            // Every automation within the first three claims, then the backlog's rest.
            #expect(Set(order.prefix(3)) == Set(ids))
            #expect(order.suffix(2) == [ids[0], ids[0]])
        }
    }

    @Test(arguments: StoreKind.available)
    func oneAutomationRunsItsExecutionsOldestFirst(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let tenant = try await Tenant.make(in: store)
            // Made in one order, due in another; two due at the same time go by id.
            let late = try await tenant.enqueue(in: store, at: Timestamp(millis: Self.now.millis - 1_000))
            let early = try await tenant.enqueue(in: store, at: Timestamp(millis: Self.now.millis - 3_000))
            let tieHigh = UUID(canonical: "ffffffff-0000-7000-8000-000000000002")!
            let tieLow = UUID(canonical: "00000000-0000-7000-8000-000000000001")!
            try await tenant.enqueue(in: store, at: Timestamp(millis: Self.now.millis - 2_000), id: tieHigh)
            try await tenant.enqueue(in: store, at: Timestamp(millis: Self.now.millis - 2_000), id: tieLow)
            var order: [UUID] = []
            while let claimed = try await Self.claim(store), order.count < 10 { order.append(claimed.execution.id) }
            #expect(order == [early, tieLow, tieHigh, late])
        }
    }

    @Test(arguments: StoreKind.available)
    func aTeamWhoseWorkIsAllInTheFutureDoesNotBlockTheOthers(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let waiting = try await Tenant.make(in: store)
            let ready = try await Tenant.make(in: store)
            // Retries in backoff: pending, due in an hour.
            try await Self.bulkInsert(store, waiting, count: 1_000, runAt: Self.now.adding(seconds: 3_600), prefix: "00000000")
            let due = try await ready.enqueue(in: store)
            let started = ContinuousClock.now
            let claimed = try await Self.claim(store)
            let nothing = try await Self.claim(store)
            let elapsed = ContinuousClock.now - started
            #expect(claimed?.execution.id == due)
            #expect(nothing == nil)
            print("fair claim [\(kind)]: 2 claims beside 1,000 rows due later took \(elapsed)")
            // Once they are due, they run.
            #expect(try await Self.claim(store, at: Self.now.adding(seconds: 3_601))?.execution.teamID == waiting.team.id)
        }
    }

    @Test(arguments: StoreKind.available)
    func anAutomationAtItsCapIsSkippedUntilOneOfItsExecutionsEnds(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let capped = try await Tenant.make(in: store, concurrency: 2)
            for _ in 0..<5 { try await capped.enqueue(in: store) }
            let first = try #require(try await Self.claim(store))
            _ = try #require(try await Self.claim(store))
            // At the cap: nothing more, and the rest stay pending, with no attempt spent.
            #expect(try await Self.claim(store) == nil)
            let untouched = try await Self.count(
                store, "SELECT count(*) FROM executions WHERE status = 'pending' AND attempt = 0 AND lease_owner IS NULL")
            #expect(untouched == 3)
            // A wait holds no slot.
            try await store.finishTurn(
                executionID: first.execution.id, worker: "w", outcome: .wait(.call, until: nil), now: Self.now, steps: nil)
            let third = try #require(try await Self.claim(store))
            #expect(try await Self.claim(store) == nil)
            // A turn's end frees a slot for the claim made with it.
            let (held, next) = try await store.finishTurnAndClaim(
                executionID: third.execution.id, worker: "w", outcome: .completed, now: Self.now, steps: nil, leaseUntil: Self.lease)
            #expect(held)
            #expect(next?.execution.automationID == capped.automations[0].id)
            #expect(try await Self.claim(store) == nil)
        }
    }

    /// The cap lives in `automations.concurrency`, written with the
    /// definition: a new cap takes effect at the next claim, and a claim
    /// never parses a definition (so a corrupt one cannot fail every claim).
    @Test(arguments: StoreKind.available)
    func aCapChangedWithTheDefinitionHoldsAtTheNextClaim(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let tenant = try await Tenant.make(in: store)
            for _ in 0..<4 { try await tenant.enqueue(in: store) }
            let capped = try JSONParser().parse(#"{"trigger":{"type":"webhook"},"steps":[],"concurrency":1}"#)
            _ = try await store.updateAutomation(
                id: tenant.automations[0].id, teamID: tenant.team.id, patch: AutomationPatch(definition: capped), now: Self.now)
            _ = try #require(try await Self.claim(store))
            #expect(try await Self.claim(store) == nil, "the cap set by the update holds")
            let column = try await Self.count(
                store, "SELECT concurrency FROM automations WHERE id = '\(tenant.automations[0].id.lowercased)'")
            #expect(column == 1)
            // Lifting the cap (no `concurrency`: the default) lets the next one in.
            _ = try await store.updateAutomation(
                id: tenant.automations[0].id, teamID: tenant.team.id, patch: AutomationPatch(definition: AutomationDefinition.emptyJSON),
                now: Self.now)
            _ = try #require(try await Self.claim(store))
            // A definition corrupted behind the store's back does not stop the claim.
            try await Self.execute(store, "UPDATE automations SET definition = '{' WHERE id = '\(tenant.automations[0].id.lowercased)'")
            let claimed = try #require(try await Self.claim(store))
            guard case .failure(let error) = claimed.definition else {
                Issue.record("a corrupt definition was handed over as readable")
                return
            }
            #expect(error == .corrupt(table: "executions", id: claimed.execution.id.lowercased, detail: "definition is not valid JSON"))
        }
    }

    @Test(arguments: StoreKind.available)
    func aTeamAtItsCapIsSkippedWhileOtherTeamsRun(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        let fairness = try #require((store as? SQLiteStore)?.fairness ?? (store as? PostgresStore)?.fairness)
        fairness.teamConcurrency = 3
        try await store.closing {
            let capped = try await Tenant.make(in: store, automations: 2)
            let other = try await Tenant.make(in: store)
            for index in 0..<2 { for _ in 0..<4 { try await capped.enqueue(in: store, automation: index) } }
            for _ in 0..<2 { try await other.enqueue(in: store) }
            var claims: [ClaimedExecution] = []
            while let claimed = try await Self.claim(store), claims.count < 20 { claims.append(claimed) }
            // Three of the capped team (across its two automations), and all of the other team's.
            #expect(claims.filter { $0.execution.teamID == capped.team.id }.count == 3)
            #expect(claims.filter { $0.execution.teamID == other.team.id }.count == 2)
            let one = try #require(claims.first { $0.execution.teamID == capped.team.id })
            try await store.finishTurn(executionID: one.execution.id, worker: "w", outcome: .completed, now: Self.now, steps: nil)
            #expect(try await Self.claim(store)?.execution.teamID == capped.team.id)
            #expect(try await Self.claim(store) == nil)
        }
    }

    /// Two nodes (two stores on one PostgreSQL schema), many workers each,
    /// claiming concurrently: never more than the cap in flight. A cap of 3
    /// is one lock (exact); 16 is two lock stripes.
    @Test(.enabled(if: StoreKind.available.contains(.postgres)), arguments: [3, 16])
    func theCapHoldsAcrossNodesClaimingAtOnce(cap: Int) async throws {
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let directory = FileManager.default.temporaryDirectory
        let (first, url) = try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: nil)
        let (second, _) = try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: url)
        let total = cap * 20
        let workers = cap == 3 ? 12 : 24
        try await first.closing {
            try await second.closing {
                let tenant = try await Tenant.make(in: first, concurrency: cap)
                for _ in 0..<total { try await tenant.enqueue(in: first) }
                let inFlight = "SELECT count(*) FROM executions WHERE status = 'processing' AND wait_reason IS NULL"
                let deadline = ContinuousClock.now + .seconds(120)
                let results = try await withThrowingTaskGroup(of: (claims: Int, most: Int).self) { group in
                    for worker in 0..<workers {
                        let store = worker.isMultiple(of: 2) ? first : second
                        group.addTask {
                            var claims = 0
                            var most = 0
                            var idle = 0
                            while idle < 100, ContinuousClock.now < deadline {
                                guard let claimed = try await Self.claim(store, worker: "w\(worker)") else {
                                    idle += 1
                                    try await Task.sleep(for: .milliseconds(20))
                                    continue
                                }
                                idle = 0
                                claims += 1
                                most = max(most, try await Self.count(store, inFlight))
                                try await Task.sleep(for: .milliseconds(5))
                                try await store.finishTurn(
                                    executionID: claimed.execution.id, worker: "w\(worker)", outcome: .completed, now: Self.now, steps: nil)
                            }
                            return (claims, most)
                        }
                    }
                    var all: [(claims: Int, most: Int)] = []
                    for try await result in group { all.append(result) }
                    return all
                }
                let claims = results.map(\.claims).reduce(0, +)
                let most = results.map(\.most).max() ?? 0
                print("fair claim [postgres, 2 nodes × \(workers / 2) workers, cap \(cap)]: \(claims) claims, at most \(most) in flight")
                #expect(claims == total)
                #expect(most >= 1)
                #expect(most <= cap)
                let completed = try await Self.count(first, "SELECT count(*) FROM executions WHERE status = 'completed'")
                #expect(completed == total)
            }
        }
    }
}
