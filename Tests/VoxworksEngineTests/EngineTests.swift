import Foundation
import Testing
import VoxworksCore
@testable import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport
import VoxworksRuntime

/// Executions run their steps: every step type, branches, retries, dead
/// letters, waits across restarts, and the step log.
@Suite struct EngineTests {
    @Test(arguments: StoreKind.available)
    func everyStepTypeRunsAndTheCallResumesTheExecution(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"map","type":"transform","mappings":[
                {"source":"trigger.phone","target":"phone"},
                {"source":"trigger.first_name","target":"first_name","transform":"uppercase"},
                {"source":"trigger.note","target":"note","transform":"truncate:5"}]},
              {"id":"contact","type":"upsert_contact","match_on":"phone_number",
               "fields":{"phone_number":"{{mapped.phone}}","first_name":"{{mapped.first_name}}","last_name":"{{trigger.last_name}}"}},
              {"id":"route","type":"condition","field":"trigger.source","operator":"equals","value":"website",
               "then":[{"id":"call","type":"create_call","script_id":"sales-v2","from_number":"0291234567"}],
               "otherwise":[{"id":"notify","type":"http_request","url":"\(engine.receiver.url("/notify"))"}]},
              {"id":"crm","type":"http_request","method":"POST","url":"\(engine.receiver.url("/crm"))",
               "headers":{"X-Team":"sales"},"body":{"name":"{{contact.full_name}}","phone":"{{contact.phone_number}}","outcome":"{{call.status}}"}},
              {"id":"obj","type":"upsert_object","object_type":"monday_item","data":{"id":"{{trigger.crm_id}}","status":"{{call.status}}"}}
            ]}
            """)
        let id = try await engine.trigger(
            automation,
            #"{"phone":"0429 069 971","first_name":"ada","last_name":"Lovelace","note":"hello world","source":"website","crm_id":"m-42"}"#)

        // First turn: runs up to the call and parks the execution without a worker.
        let first = try #require(try await engine.turn())
        #expect(first.outcome == .wait(.call, until: nil))
        #expect(try await engine.execution(id).status == .processing)
        #expect(try await engine.turn() == nil, "a waiting execution is not runnable")

        // The simulated call ends; the execution wakes and finishes.
        try await engine.simulator.finishDueCalls()
        let second = try #require(try await engine.turn())
        #expect(second.id == id)
        #expect(second.outcome == .completed)

        let execution = try await engine.execution(id)
        #expect(execution.status == .completed)
        #expect(execution.stepsTotal == 7)
        #expect(execution.stepsCompleted == 6, "skipped steps do not count as completed")
        #expect(execution.attempt == 1)
        let steps = try await engine.steps(id)
        #expect(
            steps.mapValues(\.status) == [
                "map": .completed, "contact": .completed, "route": .completed, "call": .completed,
                "notify": .skipped, "crm": .completed, "obj": .completed,
            ])
        #expect(steps["map"]?.output == .object(["phone": "0429 069 971", "first_name": "ADA", "note": "hello"]))
        #expect(steps["contact"]?.output?["contact"]?["phone_number"] == "+61429069971")
        #expect(steps["contact"]?.input?["fields"]?["first_name"] == "ADA")
        #expect(steps["route"]?.output?["result"] == true)
        #expect(steps["call"]?.output?["status"] == "completed")
        #expect(steps["crm"]?.output?["status_code"] == 200)
        #expect(steps.values.allSatisfy { $0.status == .skipped || ($0.startedAt != nil && $0.finishedAt != nil && $0.attempts == 1) })

        // The receiver got exactly one request, rendered from the context, with the idempotency key.
        let crm = engine.receiver.requests(to: "/crm")
        #expect(crm.count == 1)
        #expect(crm.first?.idempotencyKey == "\(id.lowercased):crm")
        #expect(crm.first?.headers["x-team"] == "sales")
        let sent = try JSONParser().parse(crm.first?.body ?? "")
        #expect(sent == .object(["name": "ADA Lovelace", "phone": "+61429069971", "outcome": "completed"]))
        #expect(engine.receiver.requests(to: "/notify").isEmpty)

        // The contact and the call are in the store.
        let callID = try #require(steps["call"]?.output?["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
        let call = try #require(try await engine.store.call(id: callID))
        #expect(call.toNumber == "+61429069971")
        #expect(call.fromNumber == "+61291234567")
        #expect(call.scriptID == "sales-v2")
        #expect(call.progress == "finished")
        #expect(steps["obj"]?.output?["object"]?["key"] == "m-42")
    }

    @Test(arguments: StoreKind.available)
    func theOtherwiseBranchRunsAndThenIsSkipped(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"route","type":"condition","field":"trigger.score","operator":"greater_than","value":50,
               "then":[{"id":"hot","type":"http_request","url":"\(engine.receiver.url("/hot"))"}],
               "otherwise":[{"id":"cold","type":"http_request","url":"\(engine.receiver.url("/cold"))","save_as":"lead"}]},
              {"id":"after","type":"transform","mappings":[{"source":"source.lead.path","target":"where"}]}
            ]}
            """)
        let id = try await engine.trigger(automation, #"{"score":"12"}"#)
        try await engine.drain()
        let steps = try await engine.steps(id)
        #expect(steps["hot"]?.status == .skipped)
        #expect(steps["cold"]?.status == .completed)
        #expect(steps["after"]?.output == .object(["where": "/cold"]))
        #expect(engine.receiver.requests(to: "/hot").isEmpty)
        #expect(try await engine.execution(id).status == .completed)
    }

    @Test(arguments: StoreKind.available)
    func aRetryResumesAtTheFailedStepAfterItsBackoff(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan("/b", statuses: [503, 500])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":5,"initial_backoff_seconds":2,"max_backoff_seconds":600},"steps":[
              {"id":"a","type":"http_request","url":"\(engine.receiver.url("/a"))"},
              {"id":"b","type":"http_request","url":"\(engine.receiver.url("/b"))"}
            ]}
            """)
        let id = try await engine.trigger(automation, "{}")
        engine.clock.freeze()
        let start = engine.clock.now

        // Attempt 1 fails at b; the retry is due 2 s later (jitter pinned to its middle).
        guard case .retry(let error, let runAt)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        #expect(error == #"step "b": POST \#(engine.receiver.url("/b")) answered 503"#)
        #expect(abs(Double(runAt.millis - start.millis) / 1000 - 2) < 0.1)
        #expect(try await engine.execution(id).status == .pending)
        #expect(try await engine.turn() == nil, "not due before its backoff")

        // Attempt 2, 2 s later, fails again; the backoff doubles.
        engine.clock.advance(seconds: 2.1)
        let secondStart = engine.clock.now
        guard case .retry(_, let secondRunAt)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        #expect(abs(Double(secondRunAt.millis - secondStart.millis) / 1000 - 4) < 0.1)

        // Attempt 3 succeeds.
        engine.clock.advance(seconds: 4.1)
        #expect(try await engine.turn()?.outcome == .completed)
        let execution = try await engine.execution(id)
        #expect(execution.status == .completed)
        #expect(execution.attempt == 3)
        // a ran once; b three times, always with the same idempotency key.
        #expect(engine.receiver.requests(to: "/a").count == 1)
        let b = engine.receiver.requests(to: "/b")
        #expect(b.count == 3)
        #expect(Set(b.compactMap(\.idempotencyKey)) == ["\(id.lowercased):b"])
        let steps = try await engine.steps(id)
        #expect(steps["a"]?.attempts == 1)
        #expect(steps["b"]?.attempts == 3)
        #expect(steps["b"]?.status == .completed)
    }

    @Test(arguments: StoreKind.available)
    func retriesRunOutIntoTheDeadLetterState(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan("/down", statuses: [500, 500, 500])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":2,"initial_backoff_seconds":1},"steps":[
              {"id":"down","type":"http_request","url":"\(engine.receiver.url("/down"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .retry? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        engine.clock.advance(seconds: 2)
        guard case .deadLetter(let message)? = try await engine.turn()?.outcome else { Issue.record("expected dead letter"); return }
        #expect(message.contains("step \"down\""))
        let execution = try await engine.execution(id)
        #expect(execution.status == .deadLetter)
        #expect(execution.error == message)
        #expect(execution.finishedAt != nil)
        #expect(try await engine.steps(id)["down"]?.status == .failed)
    }

    @Test(arguments: StoreKind.available)
    func aClientErrorFailsAtOnceWithoutRetry(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan("/bad", statuses: [422])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"bad","type":"http_request","url":"\(engine.receiver.url("/bad"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .failed(let message)? = try await engine.turn()?.outcome else { Issue.record("expected failed"); return }
        #expect(message.hasSuffix("answered 422"))
        #expect(try await engine.execution(id).status == .failed)
        #expect(try await engine.steps(id)["bad"]?.error?.hasSuffix("answered 422") == true)
    }

    @Test(arguments: StoreKind.available)
    func anUnreachableReceiverIsARetryableFailure(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        // A port nobody listens on, held for the whole test.
        let refusing = try RefusingPort()
        let url = refusing.url("/gone")
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"gone","type":"http_request","url":"\(url)","timeout_seconds":2}]}
            """)
        _ = try await engine.trigger(automation, "{}")
        let started = ContinuousClock.now
        guard case .retry(let message, _)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        #expect(message.hasPrefix("step \"gone\": "))
        // A bound against a hang, not a speed claim: the suite's parallel load
        // on two cores once stretched this to 11.6 s.
        #expect(ContinuousClock.now - started < .seconds(30))
        withExtendedLifetime(refusing) {}
    }

    @Test(arguments: StoreKind.available)
    func aNumberThatCannotBeAPhoneNumberFailsTheStepClearly(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"contact","type":"upsert_contact","fields":{"phone_number":"{{trigger.phone}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"phone":"call me maybe"}"#)
        guard case .failed(let message)? = try await engine.turn()?.outcome else { Issue.record("expected failed"); return }
        #expect(message.hasPrefix("step \"contact\": "))
        #expect(message.contains("call me maybe"))
        #expect(try await engine.execution(id).status == .failed)
    }

    /// An upsert's start goes with its store write; when the step fails
    /// instead, the lines before it are written with the turn's end.
    @Test(arguments: StoreKind.available)
    func aFailedUpsertStillLogsTheStepsBeforeIt(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"map","type":"transform","mappings":[{"source":"trigger.phone","target":"phone"}]},
              {"id":"contact","type":"upsert_contact","fields":{"phone_number":"{{mapped.phone}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"phone":"call me maybe"}"#)
        guard case .failed? = try await engine.turn()?.outcome else { Issue.record("expected failed"); return }
        let steps = try await engine.steps(id)
        #expect(steps.mapValues(\.status) == ["map": .completed, "contact": .failed])
        #expect(steps["map"]?.output == .object(["phone": "call me maybe"]))
        #expect(steps["contact"]?.startedAt != nil)
        #expect(steps["contact"]?.error?.contains("call me maybe") == true)
        #expect(try await engine.execution(id).stepsCompleted == 1)
    }

    @Test(arguments: StoreKind.available)
    func contactsAreUniquePerTeamByNormalisedNumber(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"contact","type":"upsert_contact",
              "fields":{"phone_number":"{{trigger.phone}}","first_name":"{{trigger.name}}"}}]}
            """)
        let first = try await engine.trigger(automation, #"{"phone":"0429069971","name":"Ada"}"#)
        let second = try await engine.trigger(automation, #"{"phone":"+61 429 069 971","name":"Augusta"}"#)
        try await engine.drain()
        let a = try await engine.steps(first)["contact"]?.output
        let b = try await engine.steps(second)["contact"]?.output
        #expect(a?["created"] == true)
        #expect(b?["created"] == false)
        #expect(a?["contact"]?["id"] == b?["contact"]?["id"])
        #expect(b?["contact"]?["first_name"] == "Augusta")
    }

    @Test(arguments: StoreKind.available)
    func privateAndLoopbackDestinationsAreRefusedUnlessAllowed(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind) { $0.outboundAllow = [] }
        defer { engine.receiver.stop() }
        for url in [
            engine.receiver.url("/x"), "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x",
            "http://localhost:\(engine.receiver.port)/x",
        ] {
            let automation = try await engine.automation(
                """
                {"trigger":{"type":"webhook"},"steps":[{"id":"out","type":"http_request","url":"\(url)"}]}
                """)
            let id = try await engine.trigger(automation, "{}")
            guard case .failed(let message)? = try await engine.turn()?.outcome else {
                Issue.record("expected failed for \(url)"); continue
            }
            #expect(message.contains("refused"), "\(url): \(message)")
            #expect(try await engine.execution(id).status == .failed)
        }
        #expect(engine.receiver.received.value.isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func aDelaySurvivesARestartAndHoldsNoWorker(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"wait","type":"delay","seconds":60},
              {"id":"after","type":"http_request","url":"\(engine.receiver.url("/after"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .wait(.delay, let until?)? = try await engine.turn()?.outcome else { Issue.record("expected a delay"); return }
        #expect(try await engine.execution(id).status == .processing)

        let restarted = try await engine.restarted()
        defer { restarted.receiver.stop() }
        restarted.clock.advance(seconds: Double(until.millis - Timestamp.now().millis) / 1000 - 5)
        #expect(try await restarted.turn() == nil, "not due yet")
        restarted.clock.advance(seconds: 6)
        #expect(try await restarted.turn()?.outcome == .completed)
        let steps = try await restarted.steps(id)
        #expect(steps["wait"]?.status == .completed)
        #expect(steps["after"]?.status == .completed)
        #expect(restarted.receiver.requests(to: "/after").count == 1)
    }

    @Test(arguments: StoreKind.available)
    func aCallWaitSurvivesARestart(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"call","type":"create_call","script_id":"s1","from_number":"+61291234567","to":"{{trigger.phone}}"},
              {"id":"summary","type":"transform","mappings":[{"source":"call.call_summary","target":"summary"},{"source":"call.status","target":"status"}]}]}
            """)
        let id = try await engine.trigger(automation, #"{"phone":"0429069971"}"#)
        #expect(try await engine.turn()?.outcome == .wait(.call, until: nil))

        let restarted = try await engine.restarted()
        defer { restarted.receiver.stop() }
        #expect(try await restarted.turn() == nil)
        try await restarted.simulator.finishDueCalls()
        #expect(try await restarted.turn()?.outcome == .completed)
        let summary = try await restarted.steps(id)["summary"]?.output
        #expect(summary?["status"] == "completed")
        #expect(summary?["summary"]?.stringValue?.hasPrefix("Simulated call") == true)
    }

    /// A create_call step's `object` is upserted and linked to the call;
    /// the execution resuming after the call, and the call_completed
    /// automation, read it again as it is when the call ends.
    @Test(arguments: StoreKind.available)
    func aCallsLinkedObjectIsReadAgainWhenTheCallEnds(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"call","type":"create_call","script_id":"linked","from_number":"+61291234567","to":"0429069971",
               "object":{"object_type":"monday_item","data":{"id":"{{trigger.crm_id}}","board":7}}},
              {"id":"after","type":"transform","mappings":[{"source":"objects.monday_item.board","target":"board"},
                                                           {"source":"call.status","target":"status"}]}]}
            """)
        _ = try await engine.automation(
            """
            {"trigger":{"type":"call_completed","script_ids":["linked"]},"steps":[
              {"id":"tell","type":"http_request","url":"\(engine.receiver.url("/linked"))","body":{"board":"{{objects.monday_item.board}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"crm_id":"m-7"}"#)
        #expect(try await engine.turn()?.outcome == .wait(.call, until: nil))
        let callOutput = try #require(try await engine.steps(id)["call"]?.output)
        #expect(callOutput["object"]?["key"] == "m-7")
        #expect(callOutput["object"]?["object_type"] == "monday_item")
        // The object changes while the call is scheduled.
        _ = try await engine.store.upsertObject(
            teamID: engine.base.teamID, type: "monday_item", key: "m-7", data: .object(["id": "m-7", "board": 8]), now: .now())
        try await engine.simulator.finishDueCalls()
        try await engine.drain()
        #expect(try await engine.execution(id).status == .completed)
        #expect(try await engine.steps(id)["after"]?.output == .object(["board": 8, "status": "completed"]))
        let told = engine.receiver.requests(to: "/linked")
        #expect(told.count == 1)
        #expect(try JSONParser().parse(told.first?.body ?? "{}") == .object(["board": 8]))
        // A definition whose object is not one is refused when it is saved.
        await #expect(throws: (any Error).self) {
            _ = try await engine.automation(
                """
                {"trigger":{"type":"webhook"},"steps":[
                  {"id":"call","type":"create_call","script_id":"s","from_number":"+61291234567","object":{"object_type":"Bad"}}]}
                """)
        }
    }

    @Test(arguments: StoreKind.available)
    func aFinishedCallFiresMatchingCallCompletedAutomations(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let caller = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"contact","type":"upsert_contact","fields":{"phone_number":"0429069971","first_name":"Ada","last_name":"L"}},
              {"id":"call","type":"create_call","script_id":"sales-v2","from_number":"+61291234567","wait_for_completion":false}]}
            """)
        let matching = try await engine.automation(
            """
            {"trigger":{"type":"call_completed","script_ids":["sales-v2"],"statuses":["completed"]},"steps":[
              {"id":"writeback","type":"http_request","url":"\(engine.receiver.url("/writeback"))",
               "body":{"call":"{{trigger.call_id}}","who":"{{contact.full_name}}","summary":"{{call.call_summary}}","status":"{{trigger.call_status}}"}}]}
            """)
        _ = try await engine.automation(
            """
            {"trigger":{"type":"call_completed","script_ids":["other-script"]},"steps":[
              {"id":"never","type":"http_request","url":"\(engine.receiver.url("/never"))"}]}
            """)
        let id = try await engine.trigger(caller, "{}")
        #expect(try await engine.turn()?.outcome == .completed, "wait_for_completion false: no wait")
        try await engine.simulator.finishDueCalls()
        try await engine.drain()
        let writeback = engine.receiver.requests(to: "/writeback")
        #expect(writeback.count == 1)
        let body = try JSONParser().parse(writeback.first?.body ?? "")
        #expect(body["who"] == "Ada L")
        #expect(body["status"] == "completed")
        #expect(body["call"]?.stringValue == (try await engine.steps(id))["call"]?.output?["call_id"]?.stringValue)
        #expect(engine.receiver.requests(to: "/never").isEmpty)
        let fired = try await engine.store.executions(teamID: engine.base.teamID, query: ExecutionQuery(automationID: matching.id))
        #expect(fired.count == 1)
        #expect(fired.first?.status == .completed)
    }

    @Test(arguments: StoreKind.available)
    func anExpiredLeaseHandsTheExecutionToAnotherWorkerAtTheUnfinishedStep(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"one","type":"http_request","url":"\(engine.receiver.url("/one"))"},
              {"id":"two","type":"http_request","url":"\(engine.receiver.url("/two"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        // Worker A claims, completes step one, then dies (no finish, no heartbeat).
        let now = engine.clock.now
        let claimed = try #require(try await engine.store.claimExecution(worker: "A", now: now, leaseUntil: now.adding(seconds: 30)))
        var context = ExecutionContext(trigger: .object([:]))
        context.set(.object(["ok": true]), at: "source")
        _ = try await engine.store.recordStep(
            executionID: id, worker: "A",
            record: StepRecord(
                stepID: "one", position: 1, type: "http_request", status: .completed, startedAt: now, finishedAt: now, attempts: 1),
            context: context.root, stepsCompleted: 1)
        #expect(claimed.execution.id == id)
        #expect(try await engine.turn(worker: "B") == nil, "leased to A")

        engine.clock.advance(seconds: 31)
        #expect(try await engine.store.releaseExpiredLeases(now: engine.clock.now) == 1)
        #expect(try await engine.turn(worker: "B")?.outcome == .completed)
        #expect(engine.receiver.requests(to: "/one").isEmpty, "a completed step is not run again")
        #expect(engine.receiver.requests(to: "/two").count == 1)
        // A's late write is refused: it no longer holds the execution.
        #expect(
            try await engine.store.recordStep(
                executionID: id, worker: "A", record: StepRecord(stepID: "two", position: 2, type: "http_request", status: .failed),
                context: nil, stepsCompleted: 1) == false)
    }

    /// The worker pool keeps a long turn's lease alive: with the production
    /// lease (30 s), a step held while the test moves the engine's clock 60 s
    /// on, ten seconds at a time, is never swept back, runs once, and the
    /// execution completes on its first attempt. Deterministic: each move
    /// is followed by a beat and a sweep driven by the test, so a loaded
    /// machine cannot delay the beat past the lease. Without the heartbeat
    /// the third sweep hands the execution back to the queue.
    @Test(arguments: StoreKind.available)
    func theHeartbeatKeepsALongTurnsLease(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        #expect(engine.configuration.leaseSeconds == 30)
        engine.receiver.delay("/slow", by: .seconds(4))
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"slow","type":"http_request","url":"\(engine.receiver.url("/slow"))","timeout_seconds":20}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        let testClock = engine.clock
        let clock: @Sendable () -> Timestamp = { testClock.now }
        let runners = ExecutionRunner.standardRunners(
            store: engine.store, client: GuardedHTTPClient(policy: OutboundPolicy(allow: engine.configuration.outboundAllow)),
            provider: engine.simulator, configuration: engine.configuration, clock: clock)
        let pool = ExecutionWorkerPool(
            store: engine.store, runner: ExecutionRunner(store: engine.store, runners: runners, clock: clock, logger: engine.logger),
            signal: WorkSignal(), configuration: engine.configuration, clock: clock, logger: engine.logger)
        let running = Task { try await pool.run() }
        defer { running.cancel() }

        // The step is in flight once the receiver holds its request.
        for _ in 0..<300 where engine.receiver.requests(to: "/slow").isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.receiver.requests(to: "/slow").count == 1, "the step reached the receiver")
        var swept = 0
        for _ in 0..<6 {
            testClock.advance(seconds: 10)
            await pool.heartbeat.beatDue()
            swept += try await engine.store.releaseExpiredLeases(now: testClock.now)
        }
        #expect(swept == 0, "the lease outlived 60 s of a 30 s lease")

        var execution = try await engine.execution(id)
        for _ in 0..<300 where !execution.status.isFinal {
            try await Task.sleep(for: .milliseconds(50))
            execution = try await engine.execution(id)
        }
        #expect(execution.status == .completed)
        #expect(execution.attempt == 1)
        #expect(engine.receiver.requests(to: "/slow").count == 1, "the step ran once")
    }
}
