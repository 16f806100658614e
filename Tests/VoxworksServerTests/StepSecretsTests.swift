import Foundation
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksRuntime
import VoxworksStore
import VoxworksTestSupport

/// What the step log and step errors may hold of a sender's values and of
/// the credentials an automation sends (issue: bearer tokens were stored in
/// plain text and echoed by header errors; a refused phone number put the
/// whole value, 900 KB, into the error and the log).
@Suite struct StepSecretsTests {
    @Test(arguments: StoreKind.available)
    func credentialsInHeadersAreSentButRedactedInTheStepLog(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"crm","type":"http_request","url":"\(engine.receiver.url("/crm"))",
              "headers":{"Authorization":"Bearer {{trigger.token}}","X-Api-Key":"k-123","Cookie":"s=1","X-Upstream-Token":"t-9",
                         "X-Webhook-Signature":"sig","X-Client-Secret":"cs","X-Trace":"{{trigger.trace}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"token":"live-bearer-secret","trace":"abc"}"#)
        guard case .completed? = try await engine.turn()?.outcome else { Issue.record("expected completed"); return }
        // The receiver got the real values.
        let received = try #require(engine.receiver.requests(to: "/crm").first)
        #expect(received.headers["authorization"] == "Bearer live-bearer-secret")
        #expect(received.headers["x-api-key"] == "k-123")
        // The stored input holds none of them; other headers stay readable.
        let input = try #require(try await engine.steps(id)["crm"]?.input)
        let headers = try #require(input.objectValue?["headers"]?.objectValue)
        for name in ["Authorization", "X-Api-Key", "Cookie", "X-Upstream-Token", "X-Webhook-Signature", "X-Client-Secret"] {
            #expect(headers[name] == .string("[redacted]"), "\(name)")
        }
        #expect(headers["X-Trace"] == .string("abc"))
        let stored = input.serialized
        for secret in ["live-bearer-secret", "k-123", "t-9"] { #expect(!stored.contains(secret)) }
    }

    @Test(arguments: StoreKind.available)
    func aHeaderWithALineBreakFailsAtOnceWithoutQuotingItsValue(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":5,"initial_backoff_seconds":1},"steps":[
              {"id":"crm","type":"http_request","url":"\(engine.receiver.url("/crm"))",
               "headers":{"Authorization":"Bearer {{trigger.token}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"token":"secret-part\r\nX-Injected: 1"}"#)
        guard case .failed(let message)? = try await engine.turn()?.outcome else { Issue.record("expected failed, not a retry"); return }
        #expect(message.contains("header Authorization holds a line break"))
        #expect(!message.contains("secret-part"))
        let execution = try await engine.execution(id)
        #expect(execution.status == .failed)
        #expect(execution.attempt == 1)
        let step = try #require(try await engine.steps(id)["crm"])
        #expect(step.attempts == 1)
        #expect(step.error?.contains("secret-part") == false)
        #expect(step.input?.serialized.contains("secret-part") == false)
        #expect(engine.receiver.requests(to: "/crm").isEmpty)
    }

    /// The attempt log keeps a few response headers, never a credential
    /// the receiver sent back, and nothing of what the request carried.
    @Test(arguments: StoreKind.available)
    func theAttemptLogKeepsNoCredentialOfTheRequestOrTheResponse(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan(
            "/crm",
            answers: [
                LocalReceiver.Answer(
                    status: 503,
                    headers: [
                        ("Content-Type", "application/json"), ("X-Request-Id", "req-1"), ("Set-Cookie", "sid=response-cookie-secret"),
                        ("X-Upstream-Token", "response-token-secret"), ("Authorization", "Bearer response-bearer-secret"),
                    ],
                    body: Array(#"{"busy":true}"#.utf8))
            ])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":3,"initial_backoff_seconds":60},"steps":[
              {"id":"crm","type":"http_request","url":"\(engine.receiver.url("/crm"))",
               "headers":{"Authorization":"Bearer {{trigger.token}}","X-Api-Key":"request-api-key"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"token":"request-bearer-secret"}"#)
        guard case .retry? = try await engine.turn()?.outcome else { Issue.record("expected a retry after a 503"); return }
        #expect(engine.receiver.requests(to: "/crm").first?.headers["authorization"] == "Bearer request-bearer-secret")
        let step = try #require(try await engine.steps(id)["crm"])
        let attempt = try #require(step.attemptLog.attempts.first)
        #expect(attempt.statusCode == 503)
        #expect(attempt.headers.map(\.name).contains("X-Request-Id"), "the attempt kept no header at all: \(attempt.headers.map(\.name))")
        let stored = [step.attemptLog.storedText ?? "", step.input?.serialized ?? "", step.output?.serialized ?? "", step.error ?? ""]
            .joined()
        #expect(stored.contains("req-1"))
        for secret in [
            "response-cookie-secret", "response-token-secret", "response-bearer-secret", "request-bearer-secret", "request-api-key",
        ] {
            #expect(!stored.contains(secret), "\(secret) is stored")
        }
    }

    /// What the worker pool and the runner log of a header that cannot be
    /// sent: the outcome, never the value (it was a bearer token).
    @Test(arguments: StoreKind.available)
    func theWorkerLogsOfABadHeaderNeverQuoteItsValue(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"retry":{"max_attempts":5,"initial_backoff_seconds":1},"steps":[
              {"id":"crm","type":"http_request","url":"\(engine.receiver.url("/crm"))",
               "headers":{"Authorization":"Bearer {{trigger.token}}"}}]}
            """)
        let id = try await engine.trigger(automation, #"{"token":"logged-secret-part\r\nX-Injected: 1"}"#)
        let capture = LogCapture()
        let logger = capture.logger(level: .trace)
        let testClock = engine.clock
        let clock: @Sendable () -> Timestamp = { testClock.now }
        let runners = ExecutionRunner.standardRunners(
            store: engine.store, client: GuardedHTTPClient(policy: OutboundPolicy(allow: engine.configuration.outboundAllow)),
            provider: engine.simulator, configuration: engine.configuration, clock: clock)
        let pool = ExecutionWorkerPool(
            store: engine.store, runner: ExecutionRunner(store: engine.store, runners: runners, clock: clock, logger: logger),
            signal: WorkSignal(), configuration: engine.configuration, clock: clock, logger: logger)
        let running = Task { try await pool.run() }
        defer { running.cancel() }
        var execution = try await engine.execution(id)
        for _ in 0..<400 where !execution.status.isFinal {
            try await Task.sleep(for: .milliseconds(50))
            execution = try await engine.execution(id)
        }
        #expect(execution.status == .failed)
        #expect(execution.attempt == 1)
        // The turn's line may follow the commit by a moment.
        for _ in 0..<100 where !capture.lines.value.contains(where: { $0.contains("execution turn ended") }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let lines = capture.lines.value
        let ended = lines.filter { $0.contains("execution turn ended") }
        #expect(ended.count == 1, "\(lines.count) lines, none saying the turn ended")
        #expect(ended.first?.contains("header Authorization holds a line break") == true, "\(ended)")
        #expect(!lines.contains { $0.contains("logged-secret-part") })
        #expect(engine.receiver.requests(to: "/crm").isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func aHugeRefusedPhoneNumberGivesABoundedError(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"contact","type":"upsert_contact","fields":{"phone_number":"{{trigger.phone}}"}}]}
            """)
        let phone = String(repeating: "x", count: 900_000)
        let id = try await engine.trigger(automation, "{\"phone\":\"\(phone)\"}")
        guard case .failed(let message)? = try await engine.turn()?.outcome else { Issue.record("expected failed"); return }
        #expect(message.utf8.count < 1_200, "\(message.utf8.count) bytes")
        #expect(message.contains("cannot be a phone number"))
        let execution = try await engine.execution(id)
        #expect((execution.error?.utf8.count ?? .max) < 1_200)
        #expect((try await engine.steps(id)["contact"]?.error?.utf8.count ?? .max) < 1_200)
    }
}
