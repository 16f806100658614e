import Foundation
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport

/// Per-destination protection through the engine and the store: a
/// deferred execution is `pending` until the half-open time, holds no
/// worker and spends no attempt.
@Suite struct DestinationCircuitEngineTests {
    /// Five executions fail against a refused port (AsyncHTTPClient retries
    /// a refused connection until the step's deadline, 1 s here: a timeout
    /// or a connection error, both failures of the destination): the
    /// circuit opens. The
    /// sixth is deferred to the half-open time without sending, then runs
    /// there as attempt 1, its step's first attempt.
    @Test(arguments: StoreKind.available)
    func anOpenCircuitDefersTheNextExecutionWithoutSpendingAnAttempt(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let refusing = try RefusingPort()
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":5,"initial_backoff_seconds":300,"max_backoff_seconds":600},"steps":[
              {"id":"post","type":"http_request","url":"\(refusing.url("/hook?token=secret"))","timeout_seconds":1}]}
            """)
        engine.clock.freeze()
        for _ in 0..<5 {
            _ = try await engine.trigger(automation, "{}")
            guard case .retry(let error, _)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
            #expect(error.hasPrefix(#"step "post": "#))
        }
        let openedAt = engine.clock.now
        let halfOpen = openedAt.adding(seconds: 30)
        let origin = "http://127.0.0.1:\(refusing.port)"

        let sixth = try await engine.trigger(automation, "{}")
        let turn = try #require(try await engine.turn())
        #expect(turn.id == sixth)
        #expect(turn.outcome == .deferred(.destination, until: halfOpen))
        var execution = try await engine.execution(sixth)
        #expect(execution.status == .pending)
        #expect(execution.attempt == 1, "the claim counted attempt 1; the deferral gives it back to the next claim")
        var step = try #require(try await engine.steps(sixth)["post"])
        #expect(step.status == .pending)
        #expect(step.attempts == 0, "the step was not sent: no attempt")
        #expect(step.error == "destination \(origin) unavailable (circuit open until \(halfOpen.rfc3339))")

        // Not due before the half-open time (the five retries are due at +300 s).
        engine.clock.advance(seconds: 29.9)
        #expect(try await engine.turn() == nil, "a deferred execution waits for its run_at")

        // At the half-open time it is claimed again, without counting an
        // attempt, and sends (the probe, refused again: a retry now).
        engine.clock.advance(seconds: 0.1)
        let probe = try #require(try await engine.turn())
        #expect(probe.id == sixth)
        guard case .retry? = probe.outcome else {
            Issue.record("expected the probe to fail into a retry, got \(String(describing: probe.outcome))"); return
        }
        execution = try await engine.execution(sixth)
        #expect(execution.attempt == 1, "the deferral spent no attempt")
        step = try #require(try await engine.steps(sixth)["post"])
        #expect(step.status == .failed)
        #expect(step.attempts == 1)

        // The failed probe re-opened it for twice as long.
        let next = try await engine.trigger(automation, "{}")
        #expect(try await engine.turn()?.outcome == .deferred(.destination, until: engine.clock.now.adding(seconds: 60)))
        #expect(try await engine.execution(next).status == .pending)
        #expect(engine.circuits.snapshot().first?.state == .open)
        // Held to the end: a freed port could be given to another test's receiver.
        withExtendedLifetime(refusing) {}
    }

    /// With a cap of 2 and a receiver that hangs, two requests are under way
    /// and a third execution is deferred (about a second), not sent.
    @Test(arguments: StoreKind.available)
    func theInFlightCapDefersTheThirdConcurrentRequest(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind) { $0.destinationSettings.maxInFlight = 2 }
        defer { engine.receiver.stop() }
        engine.receiver.delay("/slow", by: .seconds(60))
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":5,"initial_backoff_seconds":300,"max_backoff_seconds":600},"steps":[
              {"id":"post","type":"http_request","url":"\(engine.receiver.url("/slow"))","timeout_seconds":4}]}
            """)
        var ids: [UUID] = []
        for _ in 0..<3 { ids.append(try await engine.trigger(automation, "{}")) }
        let first = Task { try await engine.turn(worker: "a") }
        let second = Task { try await engine.turn(worker: "b") }
        // Bounded wait until both requests reached the receiver.
        for _ in 0..<300 where engine.receiver.requests(to: "/slow").count < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.receiver.requests(to: "/slow").count == 2)
        #expect(engine.circuits.snapshot().first?.inFlight == 2)

        let before = engine.clock.now
        let third = try #require(try await engine.turn(worker: "c"))
        guard case .deferred(.destination, let until)? = third.outcome else {
            Issue.record("the third execution was not deferred: \(String(describing: third.outcome))")
            return
        }
        #expect(until >= before.adding(seconds: 1) && until <= engine.clock.now.adding(seconds: 2))
        #expect(engine.receiver.requests(to: "/slow").count == 2, "the third request was not sent")
        let execution = try await engine.execution(third.id)
        #expect(execution.status == .pending)
        let step = try #require(try await engine.steps(third.id)["post"])
        #expect(step.attempts == 0)
        #expect(step.error == "destination http://127.0.0.1:\(engine.receiver.port) busy (2 requests already in flight from this node)")

        // The two hanging ones time out (failures, two of five: still closed) and give their slots back.
        _ = try await first.value
        _ = try await second.value
        #expect(engine.circuits.snapshot().first?.inFlight ?? 0 == 0)
        #expect(engine.circuits.snapshot().first?.state == .closed)
    }
}
