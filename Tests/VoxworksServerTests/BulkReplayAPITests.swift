import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VoxworksCore
import VoxworksRuntime
import VoxworksStore
import VoxworksTestSupport

@testable import VoxworksServer

/// `POST /api/v1/executions/bulk-replay`, `GET /api/v1/bulk/{id}`, cancel,
/// `resolved_by`, and a job resumed after a restart, on every backend.
@Suite struct BulkReplayAPITests {
    /// An execution that a worker finished as `outcome`.
    static func finished(_ harness: TestHarness, automation: UUID, outcome: ExecutionOutcome) async throws -> UUID {
        let at = harness.clock.now
        let id = UUID.v7(now: at)
        try await harness.store.insertExecution(
            NewExecution(id: id, teamID: harness.teamID, automationID: automation, body: Array(#"{"n":1}"#.utf8), receivedAt: at))
        let claimed = try #require(try await harness.store.claimExecution(worker: "w", now: at, leaseUntil: at.adding(seconds: 30)))
        #expect(claimed.execution.id == id)
        #expect(try await harness.store.finishTurn(executionID: id, worker: "w", outcome: outcome, now: at))
        return id
    }

    static func runner(_ harness: TestHarness, batchSize: Int = 100, worker: String = "test-bulk") -> BulkReplayRunner {
        let clock = harness.clock
        return BulkReplayRunner(
            store: harness.store, workSignal: WorkSignal(), wake: WorkSignal(), clock: { clock.now }, logger: Logger(label: "bulk-test"),
            worker: worker, batchSize: batchSize)
    }

    /// Works jobs until `id` is no longer running (this runner, or the app's own if it holds the lease); bounded.
    static func finish(_ id: UUID, harness: TestHarness) async throws -> BulkReplay {
        let runner = runner(harness)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let job = try await harness.store.bulkReplay(id: id, teamID: harness.teamID), job.status != .running { return job }
            if try await !runner.runOne() { try await Task.sleep(for: .milliseconds(50)) }
        }
        throw CancellationError()
    }

    /// The team's executions that replay `original`.
    static func replays(of original: UUID, _ harness: TestHarness) async throws -> [Execution] {
        try await harness.store.executions(teamID: harness.teamID, query: ExecutionQuery(limit: 100)).filter { $0.replayOf == original }
    }

    @Test(arguments: StoreKind.available)
    func theBodyIsCheckedStrictly(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            func post(_ body: String, _ extra: [String: String] = [:]) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/executions/bulk-replay", method: .post, headers: bearer(harness.apiKey, extra),
                    body: ByteBuffer(string: body))
            }
            #expect(try expectError(try await post(#"{"filtre":{}}"#), .badRequest).contains("\"filtre\""))
            #expect(try expectError(try await post(#"{"filter":{"state":["failed"]}}"#), .badRequest).contains("\"filter.state\""))
            #expect(try expectError(try await post(#"{"filter":{"status":["broken"]}}"#), .badRequest).contains("\"broken\""))
            #expect(try expectError(try await post(#"{"filter":{"status":[]}}"#), .badRequest).contains("filter.status"))
            // From the failed step, only failed and dead-lettered executions qualify.
            #expect(
                try expectError(try await post(#"{"filter":{"status":["completed"]},"from":"failed_step"}"#), .badRequest).contains(
                    "\"completed\""))
            #expect(try expectError(try await post(#"{"from":"middle"}"#), .badRequest).contains("from"))
            #expect(try expectError(try await post(#"{"filter":{"automation_id":"nope"}}"#), .badRequest).contains("filter.automation_id"))
            #expect(
                try expectError(try await post(#"{"filter":{"created_after":"yesterday"}}"#), .badRequest).contains("filter.created_after"))
            #expect(try expectError(try await post(#"{"filter":{"created_before":""}}"#), .badRequest).contains("filter.created_before"))
            #expect(try expectError(try await post(#"{"filter":{"automation_id":null}}"#), .badRequest).contains("filter.automation_id"))
            #expect(
                try expectError(
                    try await post(#"{"filter":{"created_after":"2026-01-02T00:00:00Z","created_before":"2026-01-01T00:00:00Z"}}"#),
                    .badRequest
                ).contains("before"))
            try expectError(try await post("{}", ["Idempotency-Key": String(repeating: "k", count: 300)]), .badRequest)
            try expectError(
                try await client.execute(uri: "/api/v1/bulk/\(UUID().lowercased)", method: .get, headers: bearer(harness.apiKey)), .notFound
            )
            // The path is not an execution's id: only POST, and `Allow` says so.
            for method in [HTTPRequest.Method.get, .options] {
                let other = try await client.execute(uri: "/api/v1/executions/bulk-replay", method: method, headers: bearer(harness.apiKey))
                try expectError(other, .methodNotAllowed)
                #expect(other.header("Allow") == "POST")
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func eachMatchingExecutionIsReplayedOnceAndResolvedByItsReplay(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        let harness = engine.base
        let (automation, _) = try await harness.automation()
        var made: [UUID] = []
        for _ in 0..<3 {
            made.append(try await Self.finished(harness, automation: automation.id, outcome: .deadLetter("receiver down")))
        }
        let originals = made
        let completed = try await Self.finished(harness, automation: automation.id, outcome: .completed)
        #expect(try await harness.store.queueStats(now: harness.clock.now).deadLetters == 3)

        try await harness.withRouter { client in
            let body =
                #"{"filter":{"automation_id":"\#(automation.id.lowercased)","status":["dead_letter","failed"]},"from":"failed_step"}"#
            let headers = bearer(harness.apiKey, ["Idempotency-Key": "outage-2026-12-07"])
            let created = try await client.execute(
                uri: "/api/v1/executions/bulk-replay", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(created.status == .accepted, "\(created.text)")
            let bulk = try #require(try created.json["bulk"])
            #expect(bulk["status"] == "running" && bulk["total"] == .int(3) && bulk["done"] == .int(0) && bulk["failed"] == .int(0))
            let id = try #require(bulk["id"]?.stringValue.flatMap(UUID.init(uuidString:)))

            // The same request again (a client's retry) answers the same job.
            let retried = try await client.execute(
                uri: "/api/v1/executions/bulk-replay", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(retried.status == .accepted)
            #expect(try retried.json["bulk"]?["id"]?.stringValue == id.lowercased)
            #expect(retried.header("Idempotent-Replayed") == "true")

            let job = try await Self.finish(id, harness: harness)
            #expect(job.status == .completed && job.done == 3 && job.failed == 0)
            let shown = try await client.execute(uri: "/api/v1/bulk/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try shown.json["bulk"]?["status"] == "completed")
            #expect(try shown.json["bulk"]?["done"] == .int(3))
            #expect(try shown.json["bulk"]?["finished_at"]?.stringValue != nil)
            // Cancelling a completed job is refused.
            try expectError(
                try await client.execute(uri: "/api/v1/bulk/\(id.lowercased)/cancel", method: .post, headers: bearer(harness.apiKey)),
                .conflict)

            // Exactly one replay each, despite the retried request; none of the completed one.
            var replayIDs: [UUID: UUID] = [:]
            for original in originals {
                let replays = try await Self.replays(of: original, harness)
                #expect(replays.count == 1)
                replayIDs[original] = replays.first?.id
            }
            #expect(replayIDs.count == 3)
            #expect(try await Self.replays(of: completed, harness).isEmpty)

            // The replays run and complete: each original is resolved by its replay.
            try await engine.drain()
            for original in originals {
                let replayID = try #require(replayIDs[original])
                let response = try await client.execute(
                    uri: "/api/v1/executions/\(original.lowercased)", method: .get, headers: bearer(harness.apiKey))
                #expect(try response.json["execution"]?["resolved_by"]?.stringValue == replayID.lowercased)
                #expect(try response.json["execution"]?["status"] == "dead_letter")
                let replay = try await client.execute(
                    uri: "/api/v1/executions/\(replayID.lowercased)", method: .get, headers: bearer(harness.apiKey))
                #expect(try replay.json["execution"]?["replay_of"]?.stringValue == original.lowercased)
                #expect(try replay.json["execution"]?["status"] == "completed")
            }
            // The console's execution page links the replay that resolved it.
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let first = try #require(originals.first)
            let resolvedPage = try await browser.get("/app/executions/\(first.lowercased)")
            #expect(resolvedPage.text.contains("<dt>Resolved by</dt>"))
            #expect(resolvedPage.text.contains("href=\"/app/executions/\(try #require(replayIDs[first]).lowercased)\""))
            // Resolved dead letters no longer count as open: status and metrics read this.
            #expect(try await harness.store.queueStats(now: harness.clock.now).deadLetters == 0)
            // A new bulk replay of the same filter finds nothing left to replay.
            let again = try await client.execute(
                uri: "/api/v1/executions/bulk-replay", method: .post, headers: bearer(harness.apiKey), body: ByteBuffer(string: body))
            #expect(try again.json["bulk"]?["total"] == .int(0))
            #expect(try again.json["bulk"]?["status"] == "completed")
        }
    }

    @Test(arguments: StoreKind.available)
    func aCancelledJobStopsBetweenBatches(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        var originals: [UUID] = []
        for _ in 0..<3 { originals.append(try await Self.finished(harness, automation: automation.id, outcome: .failed("bad"))) }
        // Made in the store, and worked by this test's runner alone (no application is running).
        guard
            case .created(let job) = try await harness.store.createBulkReplay(
                id: .v7(), teamID: harness.teamID, idempotencyKey: nil, filter: BulkReplayFilter(statuses: [.failed]), from: .start,
                cap: BulkReplayController.maxExecutions, now: harness.clock.now)
        else {
            Issue.record("no job")
            return
        }
        let runner = Self.runner(harness, batchSize: 1)
        #expect(try await runner.runOne(maxBatches: 1))
        #expect(try await harness.store.bulkReplay(id: job.id, teamID: harness.teamID)?.done == 1)
        try await harness.withRouter { client in
            let cancelled = try await client.execute(
                uri: "/api/v1/bulk/\(job.id.lowercased)/cancel", method: .post, headers: bearer(harness.apiKey))
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try cancelled.json["bulk"]?["status"] == "cancelled")
        }
        #expect(try await runner.runOne() == false)
        let after = try #require(try await harness.store.bulkReplay(id: job.id, teamID: harness.teamID))
        #expect(after.status == .cancelled && after.done == 1)
        var replayed = 0
        for original in originals { replayed += try await Self.replays(of: original, harness).count }
        #expect(replayed == 1)
    }

    @Test(arguments: StoreKind.available)
    func aJobResumedAfterARestartReplaysNoneTwice(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        var originals: [UUID] = []
        for _ in 0..<4 { originals.append(try await Self.finished(harness, automation: automation.id, outcome: .deadLetter("down"))) }
        guard
            case .created(let job) = try await harness.store.createBulkReplay(
                id: .v7(), teamID: harness.teamID, idempotencyKey: "k", filter: BulkReplayFilter(statuses: [.deadLetter]), from: .start,
                cap: BulkReplayController.maxExecutions, now: harness.clock.now)
        else {
            Issue.record("no job")
            return
        }
        // A node that took the job, chose the replays' ids, made the first
        // replay, and stopped before recording anything.
        let now = harness.clock.now
        #expect(try await harness.store.claimBulkReplay(worker: "gone", now: now, leaseUntil: now.adding(seconds: 60))?.id == job.id)
        let items = try await harness.store.openBulkReplayItems(bulkID: job.id, limit: 2)
        let chosen = items.map { BulkReplayItem(executionID: $0.executionID, replayID: .v7()) }
        #expect(try await harness.store.chooseBulkReplayIDs(bulkID: job.id, worker: "gone", chosen))
        let first = try #require(try await harness.store.execution(id: chosen[0].executionID, teamID: harness.teamID))
        let actions = ExecutionActions(store: harness.store, workSignal: WorkSignal(), clock: { now })
        #expect(try await actions.replay(first, from: .start, id: chosen[0].replayID) == chosen[0].replayID)

        // The restart: the same database opened again, after the lease expired.
        let restarted = try await harness.reopened()
        restarted.clock.advance(seconds: 120)
        let runner = Self.runner(restarted)
        #expect(try await runner.runOne())
        let ended = try #require(try await restarted.store.bulkReplay(id: job.id, teamID: restarted.teamID))
        #expect(ended.status == .completed && ended.done == 4 && ended.failed == 0)
        var total = 0
        for original in originals {
            let replays = try await Self.replays(of: original, restarted)
            #expect(replays.count == 1)
            total += replays.count
        }
        #expect(total == 4)
        // The ids chosen before the restart are the replays made.
        for choice in chosen {
            let replayID = try #require(choice.replayID)
            let replay = try #require(try await restarted.store.execution(id: replayID, teamID: restarted.teamID))
            #expect(replay.replayOf == choice.executionID)
        }
        await restarted.store.shutdown()
    }

    @Test(arguments: StoreKind.available)
    func twoNodesOnOneStoreReplayEachExecutionOnce(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        var made: [UUID] = []
        for _ in 0..<12 { made.append(try await Self.finished(harness, automation: automation.id, outcome: .deadLetter("down"))) }
        let originals = made
        guard
            case .created(let job) = try await harness.store.createBulkReplay(
                id: .v7(), teamID: harness.teamID, idempotencyKey: nil, filter: BulkReplayFilter(statuses: [.deadLetter]), from: .start,
                cap: BulkReplayController.maxExecutions, now: harness.clock.now)
        else {
            Issue.record("no job")
            return
        }
        // A second node: its own connections to the same database.
        let (second, _) = try await kind.open(directory: harness.directory, secretBox: harness.secretBox, postgresURL: harness.postgresURL)
        let clock = harness.clock
        let nodes = [harness.store, second].enumerated().map { index, store in
            BulkReplayRunner(
                store: store, workSignal: WorkSignal(), wake: WorkSignal(), clock: { clock.now }, logger: Logger(label: "node-\(index)"),
                worker: "node-\(index)", batchSize: 1)
        }
        // Both nodes keep asking for work, 3 batches at a time, until the job ends (bounded).
        let claims = try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                group.addTask {
                    var claimed = 0
                    for _ in 0..<200 {
                        if try await harness.store.bulkReplay(id: job.id, teamID: harness.teamID)?.status != .running { break }
                        if try await node.runOne(maxBatches: 3) {
                            claimed += 1
                            // Give the lease back, as a node between two turns would after its lease ran out.
                            try await harness.store.releaseBulkReplay(bulkID: job.id, worker: node.worker)
                        } else {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                    return claimed
                }
            }
            var all: [Int] = []
            for try await count in group { all.append(count) }
            return all
        }
        await second.shutdown()
        let ended = try #require(try await harness.store.bulkReplay(id: job.id, teamID: harness.teamID))
        #expect(ended.status == .completed && ended.done == 12 && ended.failed == 0)
        #expect(claims.reduce(0, +) >= 4)
        var total = 0
        for original in originals {
            let replays = try await Self.replays(of: original, harness)
            #expect(replays.count == 1)
            total += replays.count
        }
        #expect(total == 12)
    }
}
