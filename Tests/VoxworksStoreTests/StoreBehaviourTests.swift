import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// What every store must do, run against each backend.
@Suite struct StoreBehaviourTests {
    struct Fixture {
        let store: any Store
        let directory: URL
        let team: Team
        let automation: Automation
        let route: WebhookRoute

        static func make(_ kind: StoreKind, signingKey: [UInt8]? = nil) async throws -> Fixture {
            let (store, directory, _) = try await kind.makeStore()
            let webhook = try await WebhookFixture.make(in: store, signingKey: signingKey)
            return Fixture(store: store, directory: directory, team: webhook.team, automation: webhook.automation, route: webhook.route)
        }

        /// One webhook received at `now`, accepted and then claimed by
        /// worker `w` for 30 s: its execution's id. (Received at `now`, not
        /// at the clock's next reading: a claim at `now` takes only work due
        /// by then, and the clock may have ticked since `now` was read.)
        func ingestAndClaim(now: Timestamp) async throws -> UUID {
            _ = try await store.commitIngest([request(at: now)])
            let claimed = try #require(try await store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
            return claimed.execution.id
        }

        func request(key: String? = nil, body: String = "{}", at time: Timestamp = .now(), backlog: Int = 100_000, ttl: Double = 86_400)
            -> IngestRequest
        {
            let bytes = Array(body.utf8)
            return IngestRequest(
                executionID: .v7(now: time), route: route, body: bytes, contentType: "application/json", idempotencyKey: key,
                fingerprint: key.map { _ in IdempotencyKey.fingerprint(of: bytes) }, sourceAddress: "127.0.0.1",
                receivedAt: time, backlogLimit: backlog, idempotencyTTL: ttl)
        }
    }

    @Test(arguments: StoreKind.available)
    func ingestDecidesEachRequestInsideOneTransaction(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let first = fixture.request(key: "k", body: "{\"a\":1}")
        let sameKeySameBody = fixture.request(key: "k", body: "{\"a\":1}")
        let sameKeyOtherBody = fixture.request(key: "k", body: "{\"a\":2}")
        let noKey = fixture.request()
        let outcomes = try await fixture.store.commitIngest([first, sameKeySameBody, sameKeyOtherBody, noKey])
        #expect(outcomes == [.accepted(first.executionID), .replayed(first.executionID), .conflict, .accepted(noKey.executionID)])

        // A later batch sees the committed key.
        let later = try await fixture.store.commitIngest([fixture.request(key: "k", body: "{\"a\":1}")])
        #expect(later == [.replayed(first.executionID)])
        let stored = try await fixture.store.executions(teamID: fixture.team.id, query: ExecutionQuery())
        #expect(Set(stored.map(\.id)) == [first.executionID, noKey.executionID])
        let execution = try #require(try await fixture.store.execution(id: first.executionID, teamID: fixture.team.id))
        #expect(execution.body == Array("{\"a\":1}".utf8))
        #expect(execution.idempotencyKey == "k")
        #expect(execution.sourceAddress == "127.0.0.1")
        #expect(execution.status == .pending)
        #expect(execution.receivedAt == first.receivedAt)
    }

    /// Issue: every accepted body became the sample, so one large hostile
    /// body was stored twice and read on every visit to the automation.
    @Test(arguments: StoreKind.available)
    func onlyAPayloadWithinTheBoundBecomesTheSample(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        try await fixture.store.closing {
            let small = fixture.request(body: #"{"small":1}"#)
            _ = try await fixture.store.commitIngest([small])
            let large = "{\"big\":\"" + String(repeating: "x", count: AutomationSample.maxBytes) + "\"}"
            let outcomes = try await fixture.store.commitIngest([fixture.request(body: large)])
            // The large webhook is still accepted and stored as its execution's body.
            guard case .accepted(let id)? = outcomes.first else { Issue.record("not accepted: \(outcomes)"); return }
            #expect(try await fixture.store.execution(id: id, teamID: fixture.team.id)?.body.count == large.utf8.count)
            let sample = try #require(try await fixture.store.sample(automationID: fixture.automation.id, teamID: fixture.team.id))
            #expect(sample.body == Array(#"{"small":1}"#.utf8))

            // The console's "use as sample" path keeps the bound too.
            #expect(
                try await fixture.store.saveSample(
                    automationID: fixture.automation.id, teamID: fixture.team.id, body: Array(large.utf8), receivedAt: .now()))
            #expect(
                try await fixture.store.sample(automationID: fixture.automation.id, teamID: fixture.team.id)?.body
                    == Array(#"{"small":1}"#.utf8))
            let exact = "{\"a\":\"" + String(repeating: "y", count: AutomationSample.maxBytes - 8) + "\"}"
            #expect(exact.utf8.count == AutomationSample.maxBytes)
            _ = try await fixture.store.commitIngest([fixture.request(body: exact)])
            #expect(
                try await fixture.store.sample(automationID: fixture.automation.id, teamID: fixture.team.id)?.body.count
                    == AutomationSample.maxBytes)
        }
    }

    @Test(arguments: StoreKind.available)
    func anExpiredKeyStartsANewExecution(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let past = Timestamp.now().adding(seconds: -120)
        let old = fixture.request(key: "k", at: past, ttl: 60)
        _ = try await fixture.store.commitIngest([old])
        let fresh = fixture.request(key: "k", body: "{\"different\":true}")
        #expect(try await fixture.store.commitIngest([fresh]) == [.accepted(fresh.executionID)])
        // And the new record now guards the key.
        #expect(
            try await fixture.store.commitIngest([fixture.request(key: "k", body: "{\"different\":true}")]) == [
                .replayed(fresh.executionID)
            ])
    }

    @Test(arguments: StoreKind.available)
    func expiredIdempotencyRecordsAreDeletedInBatches(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let past = Timestamp.now().adding(seconds: -3600)
        _ = try await fixture.store.commitIngest((0..<25).map { fixture.request(key: "old-\($0)", at: past, ttl: 60) })
        _ = try await fixture.store.commitIngest((0..<5).map { fixture.request(key: "live-\($0)") })
        #expect(try await fixture.store.deleteExpiredIdempotencyRecords(now: .now(), limit: 10) == 10)
        #expect(try await fixture.store.deleteExpiredIdempotencyRecords(now: .now(), limit: 10) == 10)
        #expect(try await fixture.store.deleteExpiredIdempotencyRecords(now: .now(), limit: 10) == 5)
        #expect(try await fixture.store.deleteExpiredIdempotencyRecords(now: .now(), limit: 10) == 0)
        // Live keys still replay; executions are untouched.
        let replay = try await fixture.store.commitIngest([fixture.request(key: "live-3")])
        guard case .replayed = try #require(replay.first) else {
            Issue.record("live key was deleted: \(replay)")
            return
        }
        #expect(try await fixture.store.executions(teamID: fixture.team.id, query: ExecutionQuery(limit: 100)).count == 30)
    }

    @Test(arguments: StoreKind.available)
    func backlogBoundCountsPendingExecutionsPerTeam(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let outcomes = try await fixture.store.commitIngest((0..<4).map { _ in fixture.request(backlog: 3) })
        #expect(outcomes.map { if case .accepted = $0 { true } else { false } } == [true, true, true, false])
        #expect(outcomes.last == .backlogFull)
        // Another team has its own backlog.
        let secondTeam = try await fixture.store.createTeam(name: "U", now: .now())
        let automation = try await fixture.store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: secondTeam.id, name: "B", enabled: true, definition: AutomationDefinition.emptyJSON,
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: .now())
        var request = fixture.request(backlog: 3)
        request.route = try #require(try await fixture.store.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: .now()))
        #expect(try await fixture.store.commitIngest([request]) == [.accepted(request.executionID)])
    }

    /// The backlog counts what is pending now: a claim makes room, a retry
    /// or a released lease takes it back, a cancel makes it again.
    @Test(arguments: StoreKind.available)
    func theBacklogFollowsExecutionsIntoAndOutOfPending(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        func accepted(at time: Timestamp = .now()) async throws -> Bool {
            let outcome = try await fixture.store.commitIngest([fixture.request(at: time, backlog: 2)])
            return outcome.first.map { if case .accepted = $0 { true } else { false } } ?? false
        }
        #expect(try await accepted())
        #expect(try await accepted())
        #expect(try await accepted() == false)
        let now = Timestamp.now()
        let claimed = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
        #expect(try await accepted())
        #expect(try await accepted() == false)
        // Back to pending: two were pending already, so the bound is passed.
        #expect(
            try await fixture.store.finishTurn(
                executionID: claimed.execution.id, worker: "w", outcome: .retry(error: "later", runAt: now), now: now, steps: nil))
        let pending = try await fixture.store.executions(teamID: fixture.team.id, query: ExecutionQuery(status: .pending, limit: 10))
        #expect(pending.count == 3)
        #expect(try await accepted() == false)
        // The retried one stays (due at `now`); the two others are cancelled.
        for other in pending where other.id != claimed.execution.id {
            _ = try await fixture.store.cancelExecution(id: other.id, teamID: fixture.team.id, now: now)
        }
        // Received after `now`, so the claim below can only take the retried one.
        #expect(try await accepted(at: now.adding(seconds: 1)))
        #expect(try await accepted() == false)
        // A lease that ran out puts its execution back among the pending.
        let expiring = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now))
        #expect(expiring.execution.id == claimed.execution.id && expiring.execution.status == .processing)
        #expect(try await accepted())
        #expect(try await fixture.store.releaseExpiredLeases(now: now.adding(seconds: 1)) == 1)
        #expect(try await accepted() == false)
    }

    @Test(arguments: StoreKind.available)
    func aKeyRepeatedInABatchThatHitsTheBacklogIsRefusedEveryTime(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        _ = try await fixture.store.commitIngest([fixture.request(backlog: 1)])
        // The backlog is full; the same key twice in one batch: neither may
        // get a 202 (the second must not replay an execution never stored).
        let outcomes = try await fixture.store.commitIngest([
            fixture.request(key: "twice", backlog: 1), fixture.request(key: "twice", backlog: 1),
        ])
        #expect(outcomes == [.backlogFull, .backlogFull])
        // The key was not used up: once there is room it is accepted.
        let later = fixture.request(key: "twice", backlog: 10)
        #expect(try await fixture.store.commitIngest([later]) == [.accepted(later.executionID)])
    }

    /// Two nodes on one database commit batches of the same keys at once,
    /// in opposite orders and groupings: neither deadlocks, and each key
    /// starts exactly one execution, which the other node's request replays.
    @Test(arguments: StoreKind.available)
    func nodesRacingOnTheSameKeysStartOneExecutionEach(_ kind: StoreKind) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let (first, url) = try await kind.open(directory: directory, secretBox: box, postgresURL: nil)
        let (second, _) = try await kind.open(directory: directory, secretBox: box, postgresURL: url)
        let now = Timestamp.now()
        let team = try await first.createTeam(name: "T", now: now)
        let automation = try await first.createAutomation(
            NewAutomation(
                id: .v7(), teamID: team.id, name: "A", enabled: true, definition: AutomationDefinition.emptyJSON,
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: now)
        let route = try #require(try await first.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: now))
        func request(_ key: String) -> IngestRequest {
            let body = Array("{\"key\":\"\(key)\"}".utf8)
            return IngestRequest(
                executionID: .v7(), route: route, body: body, contentType: "application/json", idempotencyKey: key,
                fingerprint: IdempotencyKey.fingerprint(of: body), sourceAddress: nil, receivedAt: now, backlogLimit: 100_000,
                idempotencyTTL: 86_400)
        }
        let keys = (0..<60).map { "race-\($0)" }
        let batchesA = stride(from: 0, to: keys.count, by: 10).map { Array(keys[$0..<$0 + 10]).map(request) }
        let batchesB = stride(from: 0, to: keys.count, by: 15).map { Array(keys.reversed()[$0..<$0 + 15]).map(request) }
        let answers = try await withThrowingTaskGroup(of: [(String, UUID, IngestOutcome)].self) { group in
            for (store, batches) in [(first, batchesA), (second, batchesB)] {
                for batch in batches {
                    group.addTask {
                        let outcomes = try await store.commitIngest(batch)
                        return zip(batch, outcomes).map { ($0.0.idempotencyKey ?? "", $0.0.executionID, $0.1) }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(answers.count == 120)
        for key in keys {
            let forKey = answers.filter { $0.0 == key }
            let accepted = forKey.compactMap { if case .accepted(let id) = $0.2 { id } else { nil } }
            let replayed = forKey.compactMap { if case .replayed(let id) = $0.2 { id } else { nil } }
            #expect(accepted.count == 1 && replayed == accepted, "\(key): \(forKey.map(\.2))")
        }
        #expect(try await first.executions(teamID: team.id, query: ExecutionQuery(limit: 200)).count == 60)
    }

    @Test(arguments: StoreKind.available)
    func routesOnlyForLiveEnabledAutomations(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let hash = SecretMaterial.hash(fixture.automation.webhook.token)
        #expect(fixture.route.automationID == fixture.automation.id)
        #expect(fixture.route.teamID == fixture.team.id)
        #expect(fixture.route.rateLimit == .webhookDefault)
        #expect(fixture.route.signingKeys.isEmpty)
        #expect(try await fixture.store.route(tokenHash: SecretMaterial.hash("other"), now: .now()) == nil)

        _ = try await fixture.store.updateAutomation(
            id: fixture.automation.id, teamID: fixture.team.id, patch: AutomationPatch(enabled: false), now: .now())
        #expect(try await fixture.store.route(tokenHash: hash, now: .now()) == nil)
        _ = try await fixture.store.updateAutomation(
            id: fixture.automation.id, teamID: fixture.team.id, patch: AutomationPatch(enabled: true), now: .now())
        #expect(try await fixture.store.route(tokenHash: hash, now: .now()) != nil)

        let rotated = try #require(
            try await fixture.store.rotateToken(
                automationID: fixture.automation.id, teamID: fixture.team.id, newToken: "new-token-value", now: .now()))
        #expect(rotated.webhook.token == "new-token-value")
        #expect(try await fixture.store.route(tokenHash: hash, now: .now()) == nil)
        #expect(try await fixture.store.route(tokenHash: SecretMaterial.hash("new-token-value"), now: .now()) != nil)

        #expect(try await fixture.store.deleteAutomation(id: fixture.automation.id, teamID: fixture.team.id, now: .now()))
        #expect(try await fixture.store.route(tokenHash: SecretMaterial.hash("new-token-value"), now: .now()) == nil)
        #expect(try await fixture.store.automation(id: fixture.automation.id, teamID: fixture.team.id) == nil)
    }

    @Test(arguments: StoreKind.available)
    func automationsAreScopedToTheirTeam(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let stranger = try await fixture.store.createTeam(name: "S", now: .now())
        let id = fixture.automation.id
        #expect(try await fixture.store.automation(id: id, teamID: stranger.id) == nil)
        #expect(
            try await fixture.store.updateAutomation(id: id, teamID: stranger.id, patch: AutomationPatch(name: "x"), now: .now()) == nil)
        #expect(try await fixture.store.rotateToken(automationID: id, teamID: stranger.id, newToken: "t", now: .now()) == nil)
        #expect(
            try await fixture.store.rotateSigningSecret(automationID: id, teamID: stranger.id, newKey: [1], graceUntil: .now(), now: .now())
                == nil)
        #expect(try await fixture.store.deleteAutomation(id: id, teamID: stranger.id, now: .now()) == false)
        #expect(try await fixture.store.automations(teamID: stranger.id, after: nil, limit: 10).isEmpty)
        #expect(try await fixture.store.automation(id: id, teamID: fixture.team.id)?.name == "A")
    }

    @Test(arguments: StoreKind.available)
    func queueStatsCountWhatIsQueuedRunningWaitingAndFinished(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let old = Timestamp.now().adding(seconds: -90)
        _ = try await fixture.store.commitIngest([fixture.request(at: old)] + (0..<4).map { _ in fixture.request() })
        let now = Timestamp.now()
        // One runs and completes, one fails, one waits on a delay, one stays claimed.
        for outcome in [ExecutionOutcome.completed, .deadLetter("x"), .wait(.delay, until: now.adding(seconds: 600))] {
            let claimed = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
            try await fixture.store.finishTurn(executionID: claimed.execution.id, worker: "w", outcome: outcome, now: now)
        }
        _ = try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30))
        let stats = try await fixture.store.queueStats(now: now)
        #expect(stats.pending == 1)
        #expect(stats.running == 1)
        #expect(stats.waiting == 1)
        #expect(stats.deadLetters == 1)
        #expect(stats.finishedLastHour == [.completed: 1, .deadLetter: 1])
        #expect(stats.oldestPendingReceivedAt != nil)
        #expect((stats.storeBytes ?? 0) > 0)
        // The oldest claimed first: what is left pending is a newer one.
        #expect(stats.oldestPendingAgeSeconds(now: now) < 60)
    }

    /// A deferral (a destination's open circuit) puts the execution back in
    /// the pending queue until its time, lease released, and its next claim
    /// counts no attempt and says why it was deferred.
    @Test(arguments: StoreKind.available)
    func aDeferredExecutionIsPendingUntilItsTimeAndItsClaimCountsNoAttempt(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        _ = try await fixture.store.commitIngest([fixture.request()])
        let now = Timestamp.now()
        let claimed = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
        let id = claimed.execution.id
        #expect(claimed.execution.attempt == 1)
        let until = now.adding(seconds: 30)
        let line = StepRecord(stepID: "post", position: 1, type: "http_request", status: .pending, attempts: 0, error: "destination down")
        let held = try await fixture.store.finishTurn(
            executionID: id, worker: "w", outcome: .deferred(.destination, until: until), now: now,
            steps: StepLogWrite(records: [line], context: nil, stepsCompleted: 0))
        #expect(held)
        let execution = try #require(try await fixture.store.execution(id: id, teamID: fixture.team.id))
        #expect(execution.status == .pending)
        #expect(execution.attempt == 1)
        #expect(try await fixture.store.steps(executionID: id) == [line])
        let stats = try await fixture.store.queueStats(now: now)
        #expect(stats.pending == 1 && stats.waiting == 0 && stats.running == 0)
        #expect(try await fixture.store.claimExecution(worker: "w", now: until.adding(seconds: -0.001), leaseUntil: until) == nil)
        let again = try #require(try await fixture.store.claimExecution(worker: "w2", now: until, leaseUntil: until.adding(seconds: 30)))
        #expect(again.execution.id == id)
        #expect(again.execution.attempt == 1, "a deferral spends no attempt")
        #expect(again.resumedFrom == .destination)
        #expect(again.steps == [line])
        // Its next outcome, a retry, leaves no reason behind: the claim after counts an attempt.
        try await fixture.store.finishTurn(executionID: id, worker: "w2", outcome: .retry(error: "503", runAt: until), now: until)
        let third = try #require(try await fixture.store.claimExecution(worker: "w3", now: until, leaseUntil: until.adding(seconds: 30)))
        #expect(third.execution.attempt == 2)
        #expect(third.resumedFrom == nil)
    }

    @Test(arguments: StoreKind.available)
    func stepLinesWrittenWithTheOutcomeCommitTogetherAndOnlyForTheLeaseHolder(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        _ = try await fixture.store.commitIngest([fixture.request(), fixture.request()])
        let now = Timestamp.now()
        let first = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
        let id = first.execution.id
        // A finished step and the next one's start, in one write.
        #expect(
            try await fixture.store.recordSteps(
                executionID: id, worker: "w",
                StepLogWrite(
                    records: [
                        StepRecord(stepID: "a", position: 1, type: "transform", status: .completed, attempts: 1),
                        StepRecord(stepID: "b", position: 2, type: "transform", status: .processing, attempts: 1),
                    ],
                    context: ["mapped": .object(["x": "one"])], stepsCompleted: 1)))
        #expect(try await fixture.store.savedContext(executionID: id)?["mapped"]?["x"] == "one")
        // The last line goes with the outcome, and the count of completed
        // steps with it; a completed execution keeps no context (the runner
        // sends none, and the one saved before is dropped).
        let last = StepLogWrite(
            records: [StepRecord(stepID: "b", position: 2, type: "transform", status: .completed, attempts: 1)],
            context: nil, stepsCompleted: 2)
        #expect(try await fixture.store.finishTurn(executionID: id, worker: "w", outcome: .completed, now: now, steps: last))
        #expect(try await fixture.store.steps(executionID: id).map(\.status) == [.completed, .completed])
        #expect(try await fixture.store.savedContext(executionID: id) == nil)
        let finished = try #require(try await fixture.store.execution(id: id, teamID: fixture.team.id))
        #expect(finished.status == .completed)
        #expect(finished.stepsCompleted == 2)

        // A worker that lost the lease writes neither the lines nor the outcome.
        let second = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
        let other = second.execution.id
        #expect(
            try await fixture.store.finishTurn(executionID: other, worker: "stranger", outcome: .completed, now: now, steps: last) == false)
        #expect(try await fixture.store.steps(executionID: other).isEmpty)
        #expect(try await fixture.store.execution(id: other, teamID: fixture.team.id)?.status == .processing)
        #expect(try await fixture.store.finishTurn(executionID: other, worker: "w", outcome: .failed("x"), now: now, steps: nil))
        #expect(try await fixture.store.execution(id: other, teamID: fixture.team.id)?.status == .failed)
    }

    /// A long turn's lines in one write (more than one statement's worth on
    /// SQLite, one JSON array on PostgreSQL), with a step's start and its
    /// end both among them: every step is stored once, as its later line says,
    /// with the columns it was given.
    @Test(arguments: StoreKind.available)
    func manyLinesInOneWriteAllLandAndAStepsLaterLineWins(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let now = Timestamp(millis: Timestamp.now().millis)
        let id = try await fixture.ingestAndClaim(now: now)
        var records = (1...20).map { position in
            StepRecord(
                stepID: "s\(position)", position: position, type: "transform", status: .completed, startedAt: now, finishedAt: now,
                attempts: 1, input: .object(["n": .int(position)]), output: .object(["doubled": .int(position * 2)]))
        }
        records.insert(
            StepRecord(stepID: "s21", position: 21, type: "http_request", status: .processing, startedAt: now, attempts: 1), at: 3)
        records.append(
            StepRecord(
                stepID: "s21", position: 21, type: "http_request", status: .failed, startedAt: now, finishedAt: now, attempts: 2,
                error: "HTTP 500"))
        #expect(
            try await fixture.store.recordSteps(
                executionID: id, worker: "w",
                StepLogWrite(
                    records: records, context: ["mapped": .object(["x": "y"])], stepsCompleted: 20)))
        let stored = try await fixture.store.steps(executionID: id)
        #expect(stored.map(\.stepID) == (1...21).map { "s\($0)" })
        #expect(stored.first { $0.stepID == "s7" }?.output == .object(["doubled": .int(14)]))
        #expect(stored.first { $0.stepID == "s7" }?.input == .object(["n": .int(7)]))
        #expect(stored.first { $0.stepID == "s7" }?.finishedAt == now)
        let last = try #require(stored.last)
        #expect(last.status == .failed && last.attempts == 2 && last.error == "HTTP 500" && last.output == nil)
        #expect(try await fixture.store.savedContext(executionID: id)?["mapped"]?["x"] == "y")
    }

    /// A step's input and output come back as they went in, whatever JSON
    /// they are: a `null` input is not a missing one, and text that needs
    /// escaping keeps its quotes, backslashes and non-ASCII characters.
    @Test(arguments: StoreKind.available)
    func stepInputsAndOutputsOfEveryJSONKindRoundTrip(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let now = Timestamp(millis: Timestamp.now().millis)
        let id = try await fixture.ingestAndClaim(now: now)
        let values: [JSONValue] = [
            .null, .bool(false), .int(-7), .number("1.5e3"), .string("say \"hi\" \\ ünïcödé 📞\n\ttab"),
            .array([.null, .string("}"), .object([:])]), .object(["nested": .object(["quote": .string("\"")]), "empty": .array([])]),
            // A NUL, which PostgreSQL's JSON functions cannot turn into text.
            .object(["body": .string("before\u{0}after"), "key\u{0}": .array([.string("\u{0}")])]),
        ]
        let records =
            values.enumerated().map { position, value in
                StepRecord(
                    stepID: "s\(position)", position: position, type: "transform", status: .completed, attempts: 1, input: value,
                    output: value)
            } + [
                StepRecord(stepID: "none", position: values.count, type: "transform", status: .processing, attempts: 1),
                StepRecord(
                    stepID: "failed", position: values.count + 1, type: "http_request", status: .failed, attempts: 1,
                    error: "upstream said \u{0}!"),
            ]
        #expect(
            try await fixture.store.recordSteps(
                executionID: id, worker: "w", StepLogWrite(records: records, context: nil, stepsCompleted: 7)))
        let stored = try await fixture.store.steps(executionID: id)
        for (position, value) in values.enumerated() {
            let step = stored.first { $0.stepID == "s\(position)" }
            #expect(step?.input == value, "input \(position)")
            #expect(step?.output == value, "output \(position)")
        }
        let none = try #require(stored.first { $0.stepID == "none" })
        #expect(none.input == nil && none.output == nil)
        // PostgreSQL's text cannot hold a NUL at all: an error keeps the rest.
        #expect(stored.first { $0.stepID == "failed" }?.error?.hasPrefix("upstream said ") == true)
    }

    /// A step's attempt log is stored with its line (as the step is
    /// rewritten, and at the turn's end) and read back whole, NULs and all,
    /// and a step without attempts reads back an empty log.
    @Test(arguments: StoreKind.available)
    func aStepsAttemptLogRoundTrips(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let now = Timestamp(millis: Timestamp.now().millis)
        let id = try await fixture.ingestAndClaim(now: now)
        var log = StepAttemptLog()
        for index in 0..<24 {
            log.append(
                StepAttempt(
                    startedAt: now.adding(seconds: Double(index)), durationMillis: Int64(index), outcome: index < 23 ? .answered : .refused,
                    statusCode: index < 23 ? 503 : nil, headers: [AttemptHeader(name: "Retry-After", value: "\(index)")],
                    body: index < 23 ? #"{"error":"db down \u0000"}"# + "\u{0}" : nil, bodyTruncated: index == 0,
                    error: "answered 503 \u{0} \"quoted\""))
        }
        #expect(log.omitted == 4)
        let line = StepRecord(
            stepID: "crm", position: 1, type: "http_request", status: .failed, startedAt: now, finishedAt: now, attempts: 24, error: "x",
            attemptLog: log)
        let plain = StepRecord(stepID: "map", position: 0, type: "transform", status: .completed, attempts: 1)
        #expect(
            try await fixture.store.recordSteps(
                executionID: id, worker: "w", StepLogWrite(records: [plain, line], context: nil, stepsCompleted: 1)))
        var stored = try await fixture.store.steps(executionID: id)
        #expect(stored.first { $0.stepID == "crm" }?.attemptLog == log)
        #expect(stored.first { $0.stepID == "map" }?.attemptLog.isEmpty == true)
        // One more attempt, written with the turn's end.
        var longer = line
        longer.attemptLog.append(StepAttempt(startedAt: now, durationMillis: 1, outcome: .timedOut, error: "timed out after 10 s"))
        #expect(
            try await fixture.store.finishTurn(
                executionID: id, worker: "w", outcome: .failed("x"), now: now,
                steps: StepLogWrite(records: [longer], context: nil, stepsCompleted: 1)))
        stored = try await fixture.store.steps(executionID: id)
        let read = try #require(stored.first { $0.stepID == "crm" }?.attemptLog)
        #expect(read == longer.attemptLog)
        #expect(read.total == 25 && read.attempts.last?.number == 25)
    }

    /// An upsert step's start line is written in the upsert's own
    /// transaction: both or neither, and only for the lease holder.
    @Test(arguments: StoreKind.available)
    func leadingStepLinesCommitWithTheUpsertAndOnlyForTheLeaseHolder(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let now = Timestamp.now()
        let id = try await fixture.ingestAndClaim(now: now)
        let start = StepLogWrite(
            records: [
                StepRecord(stepID: "map", position: 1, type: "transform", status: .completed, attempts: 1),
                StepRecord(stepID: "contact", position: 2, type: "upsert_contact", status: .processing, attempts: 1),
            ],
            context: ["mapped": .object(["phone": "+61400000001"])], stepsCompleted: 1)
        let fields = ContactFields(phoneNumber: "+61400000001", firstName: "Ada")

        // Another worker's lines are refused, and its upserts are not written either.
        await #expect(throws: LeaseLost.self) {
            try await fixture.store.upsertContact(
                teamID: fixture.team.id, matchOnEmail: false, fields: fields, now: now,
                log: LeadingStepLog(executionID: id, worker: "stranger", lines: start))
        }
        await #expect(throws: LeaseLost.self) {
            try await fixture.store.upsertObject(
                teamID: fixture.team.id, type: "deal", key: "d-1", data: .object(["id": "d-1"]), now: now,
                log: LeadingStepLog(executionID: id, worker: "stranger", lines: start))
        }
        #expect(try await fixture.store.steps(executionID: id).isEmpty)
        #expect(try await fixture.store.contacts(teamID: fixture.team.id, query: ContactQuery(limit: 10)).isEmpty)

        // The holder's: lines, context and contact together.
        let (contact, created) = try await fixture.store.upsertContact(
            teamID: fixture.team.id, matchOnEmail: false, fields: fields, now: now,
            log: LeadingStepLog(executionID: id, worker: "w", lines: start))
        #expect(created)
        #expect(try await fixture.store.steps(executionID: id).map(\.status) == [.completed, .processing])
        #expect(try await fixture.store.savedContext(executionID: id)?["mapped"]?["phone"] == "+61400000001")
        #expect(try await fixture.store.execution(id: id, teamID: fixture.team.id)?.stepsCompleted == 1)
        // What the upsert returns is what it stored, on insert and on update.
        #expect(try await fixture.store.contact(id: contact.id, teamID: fixture.team.id) == contact)
        let later = now.adding(seconds: 5)
        let (updated, createdAgain) = try await fixture.store.upsertContact(
            teamID: fixture.team.id, matchOnEmail: false, fields: ContactFields(phoneNumber: "+61400000001", lastName: "Lovelace"),
            now: later, log: nil)
        #expect(!createdAgain)
        #expect(updated.id == contact.id && updated.firstName == "Ada" && updated.lastName == "Lovelace" && updated.updatedAt == later)
        #expect(try await fixture.store.contact(id: contact.id, teamID: fixture.team.id) == updated)

        let (object, objectCreated) = try await fixture.store.upsertObject(
            teamID: fixture.team.id, type: "deal", key: "d-1", data: .object(["id": "d-1"]), now: now,
            log: LeadingStepLog(
                executionID: id, worker: "w",
                lines: StepLogWrite(
                    records: [StepRecord(stepID: "deal", position: 3, type: "upsert_object", status: .processing, attempts: 1)],
                    context: nil, stepsCompleted: 1)))
        #expect(objectCreated)
        #expect(object["key"] == "d-1")
        #expect(try await fixture.store.steps(executionID: id).map(\.stepID) == ["map", "contact", "deal"])
    }

    /// An upsert that repeats what is stored writes nothing (`updated_at`
    /// stays) yet still answers the contact, writes its leading lines, and
    /// refuses a worker that lost the lease; one that changes a field
    /// writes it. By phone and by email.
    @Test(arguments: StoreKind.available)
    func aRepeatedUpsertWritesNothingButItsLines(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let now = Timestamp.now()
        let id = try await fixture.ingestAndClaim(now: now)
        let fields = ContactFields(phoneNumber: "+61400000002", firstName: "Ada", email: "ada@example.com")
        let (first, created) = try await fixture.store.upsertContact(
            teamID: fixture.team.id, matchOnEmail: false, fields: fields, now: now, log: nil)
        #expect(created)

        for matchOnEmail in [false, true] {
            let later = now.adding(seconds: matchOnEmail ? 20 : 10)
            let line = StepLogWrite(
                records: [StepRecord(stepID: "c\(matchOnEmail)", position: 1, type: "upsert_contact", status: .processing, attempts: 1)],
                context: nil, stepsCompleted: 0)
            await #expect(throws: LeaseLost.self) {
                try await fixture.store.upsertContact(
                    teamID: fixture.team.id, matchOnEmail: matchOnEmail, fields: fields, now: later,
                    log: LeadingStepLog(executionID: id, worker: "stranger", lines: line))
            }
            // The same fields again, and a subset of them: nothing changes.
            for repeated in [fields, ContactFields(phoneNumber: "+61400000002", email: "ada@example.com")] {
                let (again, createdAgain) = try await fixture.store.upsertContact(
                    teamID: fixture.team.id, matchOnEmail: matchOnEmail, fields: repeated, now: later,
                    log: LeadingStepLog(executionID: id, worker: "w", lines: line))
                #expect(!createdAgain)
                #expect(again == first, "answered as stored, updated_at included")
            }
            #expect(try await fixture.store.contact(id: first.id, teamID: fixture.team.id) == first)
            #expect(try await fixture.store.steps(executionID: id).contains { $0.stepID == "c\(matchOnEmail)" })
        }

        // A changed field is written, with the time.
        let later = now.adding(seconds: 30)
        let (changed, _) = try await fixture.store.upsertContact(
            teamID: fixture.team.id, matchOnEmail: false, fields: ContactFields(phoneNumber: "+61400000002", firstName: "Augusta"),
            now: later, log: nil)
        #expect(changed.firstName == "Augusta" && changed.email == "ada@example.com" && changed.updatedAt == later)
        #expect(try await fixture.store.contact(id: first.id, teamID: fixture.team.id) == changed)
        #expect(try await fixture.store.contacts(teamID: fixture.team.id, query: ContactQuery(limit: 10)).count == 1)
    }

    @Test(arguments: StoreKind.available)
    func finishingATurnCanClaimTheWorkersNextExecution(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let old = Timestamp.now().adding(seconds: -60)
        let first = fixture.request(at: old)
        let second = fixture.request(at: old.adding(seconds: 1))
        _ = try await fixture.store.commitIngest([first, second])
        let now = Timestamp.now()
        let claimed = try #require(try await fixture.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 30)))
        #expect(claimed.execution.id == first.executionID)
        let line = StepLogWrite(
            records: [StepRecord(stepID: "a", position: 1, type: "transform", status: .completed, attempts: 1)], context: [:],
            stepsCompleted: 1)
        let (held, next) = try await fixture.store.finishTurnAndClaim(
            executionID: first.executionID, worker: "w", outcome: .completed, now: now, steps: line, leaseUntil: now.adding(seconds: 30))
        #expect(held)
        #expect(next?.execution.id == second.executionID)
        #expect(next?.execution.status == .processing)
        #expect(next?.execution.attempt == 1)
        #expect(try await fixture.store.execution(id: first.executionID, teamID: fixture.team.id)?.status == .completed)
        #expect(try await fixture.store.steps(executionID: first.executionID).map(\.stepID) == ["a"])
        // The claim is a lease like any other: another worker cannot take it.
        #expect(try await fixture.store.claimExecution(worker: "other", now: now, leaseUntil: now.adding(seconds: 30)) == nil)
        // A worker that does not hold the execution writes neither its outcome nor its lines.
        let stranger = try await fixture.store.finishTurnAndClaim(
            executionID: second.executionID, worker: "stranger", outcome: .completed, now: now, steps: line,
            leaseUntil: now.adding(seconds: 30))
        #expect(!stranger.held)
        #expect(stranger.next == nil)
        #expect(try await fixture.store.execution(id: second.executionID, teamID: fixture.team.id)?.status == .processing)
        #expect(try await fixture.store.steps(executionID: second.executionID).isEmpty)
        // Nothing left: the outcome is still recorded, and there is no next.
        let last = try await fixture.store.finishTurnAndClaim(
            executionID: second.executionID, worker: "w", outcome: .failed("x"), now: now, steps: nil, leaseUntil: now.adding(seconds: 30))
        #expect(last.held)
        #expect(last.next == nil)
        #expect(try await fixture.store.execution(id: second.executionID, teamID: fixture.team.id)?.status == .failed)
    }

    @Test(arguments: StoreKind.available)
    func retentionDeletesOnlyOldFinishedExecutionsWithTheirSteps(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let longAgo = Timestamp.now().adding(seconds: -40 * 86_400)
        _ = try await fixture.store.commitIngest((0..<3).map { _ in fixture.request(at: longAgo) })
        // Two finish long ago (one with a step log line); one is still pending.
        for outcome in [ExecutionOutcome.completed, .failed("x")] {
            let claimed = try #require(
                try await fixture.store.claimExecution(worker: "w", now: longAgo, leaseUntil: longAgo.adding(seconds: 30)))
            _ = try await fixture.store.recordStep(
                executionID: claimed.execution.id, worker: "w",
                record: StepRecord(stepID: "s", position: 1, type: "transform", status: .completed), context: nil, stepsCompleted: 1)
            try await fixture.store.finishTurn(executionID: claimed.execution.id, worker: "w", outcome: outcome, now: longAgo)
        }
        let recent = fixture.request()
        _ = try await fixture.store.commitIngest([recent])
        let cutoff = Timestamp.now().adding(seconds: -30 * 86_400)
        #expect(try await fixture.store.deleteFinishedExecutions(before: cutoff, limit: 1) == 1)
        #expect(try await fixture.store.deleteFinishedExecutions(before: cutoff, limit: 10) == 1)
        #expect(try await fixture.store.deleteFinishedExecutions(before: cutoff, limit: 10) == 0)
        let left = try await fixture.store.executions(teamID: fixture.team.id, query: ExecutionQuery(limit: 100))
        #expect(left.count == 2)
        #expect(left.allSatisfy { $0.status == .pending })
    }

    @Test(arguments: StoreKind.available)
    func apiKeysAreFoundByHashOnly(_ kind: StoreKind) async throws {
        let fixture = try await Fixture.make(kind)
        let key = SecretMaterial.apiKey()
        try await fixture.store.createAPIKey(teamID: fixture.team.id, keyHash: SecretMaterial.hash(key), label: "t", now: .now())
        #expect(try await fixture.store.teamID(forAPIKeyHash: SecretMaterial.hash(key)) == fixture.team.id)
        #expect(try await fixture.store.teamID(forAPIKeyHash: SecretMaterial.hash(key + "x")) == nil)
    }

    @Test(arguments: StoreKind.available)
    func signingSecretsAreSealedAtRest(_ kind: StoreKind) async throws {
        let key = SecretMaterial.randomBytes(32)
        let fixture = try await Fixture.make(kind, signingKey: key)
        #expect(fixture.route.signingKeys == [key])
        if kind == .sqlite, let sqlite = fixture.store as? SQLiteStore {
            try sqlite.close()
            var raw = [UInt8]()
            for suffix in ["", "-wal"] {
                raw += (try? Data(contentsOf: URL(fileURLWithPath: sqlite.path + suffix))).map(Array.init) ?? []
            }
            #expect(!raw.isEmpty)
            #expect(!raw.windows(ofCount: 32).contains(where: { $0.elementsEqual(key) }))
        }
    }
}

extension Array where Element == UInt8 {
    /// Every run of `count` consecutive bytes.
    func windows(ofCount count: Int) -> [ArraySlice<UInt8>] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { self[$0..<($0 + count)] }
    }
}
