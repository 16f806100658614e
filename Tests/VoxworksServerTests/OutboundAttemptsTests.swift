import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// Outbound HTTP against real sockets on 127.0.0.1: what cannot succeed
/// fails its attempt at once, the connect and read timeouts are honoured,
/// and every attempt of an `http_request` step is kept with what the
/// receiver answered (safe headers, the start of its body).
@Suite struct OutboundAttemptsTests {
    private static let client = GuardedHTTPClient(policy: OutboundPolicy(allow: ["127.0.0.1"]))

    private static func millis(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// A closed port is refused by the kernel in well under a millisecond;
    /// the attempt used to last until the connect deadline, as the
    /// connection pool retried until it. The connect timeout here is 10 s,
    /// so a retrying client would take 10 s on every try. Seven tries: the
    /// fastest must be far from the deadline (< 2 s) and the median under
    /// 3 s; the slowest is not bounded, as the whole server suite's parallel
    /// load on two cores stretches any one try (a median of 580 ms, a
    /// fastest of 129 ms and one try of 8.7 s were seen, with every test
    /// sharing the two event loop threads). How fast it is on a quiet
    /// machine (under 100 ms) is a benchmark figure (the isolation figure's
    /// refused attempts, docs/PERFORMANCE.md), not a unit test's.
    @Test func aRefusedConnectionFailsItsAttemptAtOnce() async throws {
        let refusing = try RefusingPort()
        var durations: [Double] = []
        for _ in 0..<7 {
            let started = ContinuousClock.now
            do {
                _ = try await Self.client.send(
                    OutboundRequest(
                        method: "GET", url: refusing.url("/x"), headers: [], body: nil, timeoutSeconds: 10, connectTimeoutSeconds: 10))
                Issue.record("a closed port answered")
            } catch {
                #expect(error == .connectionRefused("127.0.0.1:\(refusing.port)"))
            }
            durations.append(Self.millis(ContinuousClock.now - started))
        }
        let sorted = durations.sorted()
        let median = sorted[sorted.count / 2]
        print(
            "refused connection attempt, ms: \(durations.map { String(format: "%.1f", $0) }.joined(separator: ", ")); median \(String(format: "%.1f", median))"
        )
        #expect(durations.count == 7)
        #expect(sorted.first ?? .infinity < 2_000, "fastest \(sorted.first ?? -1) ms")
        #expect(median < 3_000, "median \(median) ms")
        withExtendedLifetime(refusing) {}
    }

    /// A name that does not resolve is its own failure (retried), not a
    /// connection error. Offline, the resolver may take its own timeout to say so.
    @Test func anUnresolvableNameIsToldApart() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await Self.client.send(
                OutboundRequest(method: "GET", url: "http://nothing.invalid/x", headers: [], body: nil, timeoutSeconds: 10))
            Issue.record("nothing.invalid answered")
        } catch {
            #expect(error == .unresolvable("nothing.invalid"))
        }
        print("unresolvable name, ms: \(String(format: "%.1f", Self.millis(ContinuousClock.now - started)))")
    }

    /// TLS to a listener that speaks plain HTTP: the handshake fails as a
    /// TLS failure, well before the request's timeout (about 20 ms here;
    /// 5.1 s once on CI's machine running 800 tests at once, so the bound is
    /// half the timeout: a timeout would be a different error anyway).
    @Test func aFailedHandshakeIsATLSFailure() async throws {
        let listener = try StalledListener(.plainHTTP)
        defer { withExtendedLifetime(listener) {} }
        let started = ContinuousClock.now
        do {
            _ = try await Self.client.send(
                OutboundRequest(
                    method: "GET", url: "https://127.0.0.1:\(listener.port)/x", headers: [], body: nil, timeoutSeconds: 60))
            Issue.record("a plain HTTP listener completed a TLS handshake")
        } catch {
            guard case .tlsFailed = error else { Issue.record("expected a TLS failure, got \(error)"); return }
        }
        let elapsed = Self.millis(ContinuousClock.now - started)
        print("TLS failure, ms: \(String(format: "%.1f", elapsed))")
        #expect(elapsed < 30_000, "\(elapsed) ms")
    }

    /// A receiver that resets the connection before answering: a reset, told apart, at once.
    @Test func aResetConnectionIsToldApart() async throws {
        let listener = try StalledListener(.resetting)
        let started = ContinuousClock.now
        do {
            _ = try await Self.client.send(
                OutboundRequest(method: "POST", url: listener.url("/x"), headers: [], body: [1], timeoutSeconds: 30))
            Issue.record("a resetting listener answered")
        } catch {
            guard case .connectionReset(let why) = error else { Issue.record("expected a reset, got \(error)"); return }
            #expect(why.hasPrefix("the receiver "), "\(why)")
        }
        let elapsed = Self.millis(ContinuousClock.now - started)
        print("connection reset, ms: \(String(format: "%.1f", elapsed))")
        // Half the 30 s deadline: told apart at once, not at the deadline,
        // with room for a starved machine (7.4 s was seen beside a release build).
        #expect(elapsed < 15_000, "\(elapsed) ms")
        withExtendedLifetime(listener) {}
    }

    /// The client made for each request is shut down before `send` returns:
    /// no connection to the receiver is open once the 10 requests are done.
    @Test func noConnectionOutlivesItsRequest() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        for _ in 0..<10 {
            let response = try await Self.client.send(
                OutboundRequest(method: "GET", url: receiver.url("/ok"), headers: [], body: nil, timeoutSeconds: 10))
            #expect(response.status == 200)
        }
        #expect(receiver.requests(to: "/ok").count == 10)
        // Looked at right away: the shutdown is awaited in `send`.
        let open = Self.establishedConnections(toPort: receiver.port)
        #expect(open == 0, "\(open) connections to the receiver still established")
    }

    /// Client-side TCP connections to `port` on 127.0.0.1 in state ESTABLISHED (from /proc/net/tcp).
    private static func establishedConnections(toPort port: Int) -> Int {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return 0 }
        let remote = String(format: "0100007F:%04X", port)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count > 3 && fields[2] == remote && fields[3] == "01"
        }.count
    }

    /// The outbound policy refuses before any socket is opened.
    @Test func aRefusedDestinationFailsAtOnce() async throws {
        let strict = GuardedHTTPClient(policy: OutboundPolicy())
        let started = ContinuousClock.now
        do {
            _ = try await strict.send(
                OutboundRequest(method: "GET", url: "http://127.0.0.1:9/x", headers: [], body: nil, timeoutSeconds: 10))
            Issue.record("the policy let loopback through")
        } catch {
            guard case .refused = error else { Issue.record("expected a policy refusal, got \(error)"); return }
        }
        let elapsed = Self.millis(ContinuousClock.now - started)
        #expect(elapsed < 3_000, "\(elapsed) ms")
    }

    /// A listener whose backlog is full drops the SYN: the connect waits,
    /// and `connect_timeout_seconds` ends it (not `timeout_seconds`).
    @Test func theConnectTimeoutIsHonoured() async throws {
        let listener = try StalledListener(.fullBacklog)
        guard listener.isSaturated else {
            try Test.cancel("this kernel accepted every connection to a full backlog; a stalled connect cannot be made offline")
        }
        let started = ContinuousClock.now
        do {
            _ = try await Self.client.send(
                OutboundRequest(
                    method: "GET", url: listener.url("/x"), headers: [], body: nil, timeoutSeconds: 30, connectTimeoutSeconds: 0.5))
            Issue.record("a full backlog answered")
        } catch {
            #expect(error == .connectTimeout)
        }
        let elapsed = Self.millis(ContinuousClock.now - started)
        print("connect timeout 0.5 s, measured ms: \(String(format: "%.1f", elapsed))")
        #expect(elapsed >= 450 && elapsed < 10_000, "\(elapsed) ms")
        withExtendedLifetime(listener) {}
    }

    /// Connected, but never answered: the read timeout ends it, with a clean message.
    @Test(arguments: StoreKind.available)
    func aReceiverThatNeverAnswersTimesOut(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let listener = try StalledListener(.silent)
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"hang","type":"http_request","url":"\(listener.url("/hang"))","timeout_seconds":1}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        let started = ContinuousClock.now
        guard case .retry(let message, _)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        let elapsed = Self.millis(ContinuousClock.now - started)
        #expect(message == "step \"hang\": timed out after 1 s")
        #expect(elapsed >= 900 && elapsed < 15_000, "\(elapsed) ms")
        let attempts = try #require(try await engine.steps(id)["hang"]?.attemptLog.attempts)
        #expect(attempts.map(\.outcome) == [.timedOut])
        #expect(attempts.first.map { $0.durationMillis >= 900 } == true)
        withExtendedLifetime(listener) {}
    }

    /// A slow receiver within the timeout is waited for, and its attempt says how long it took.
    @Test func aSlowReceiverIsWaitedFor() async throws {
        let engine = try await EngineHarness.make()
        defer { engine.receiver.stop() }
        engine.receiver.delay("/slow", by: .milliseconds(400))
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"slow","type":"http_request","url":"\(engine.receiver.url("/slow"))","timeout_seconds":10}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        #expect(try await engine.turn()?.outcome == .completed)
        let attempts = try #require(try await engine.steps(id)["slow"]?.attemptLog.attempts)
        #expect(attempts.map(\.outcome) == [.answered])
        #expect(attempts.first?.statusCode == 200)
        #expect(attempts.first.map { $0.durationMillis >= 350 } == true, "\(attempts.first?.durationMillis ?? -1) ms")
    }

    /// A step to a closed port: the message names the endpoint, the attempt is `refused`, quickly.
    @Test(arguments: StoreKind.available)
    func aStepToAClosedPortRecordsARefusedAttempt(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let refusing = try RefusingPort()
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"gone","type":"http_request","url":"\(refusing.url("/gone"))","connect_timeout_seconds":10}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .retry(let message, _)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        #expect(message == "step \"gone\": connection refused (127.0.0.1:\(refusing.port))")
        let step = try #require(try await engine.steps(id)["gone"])
        #expect(step.error == "connection refused (127.0.0.1:\(refusing.port))")
        #expect(step.attemptLog.attempts.map(\.outcome) == [.refused])
        // Well under the 10 s a retried connect would take, with room for a loaded machine.
        #expect(step.attemptLog.attempts.first.map { $0.durationMillis < 9_000 } == true)
        withExtendedLifetime(refusing) {}
    }

    /// The issue's case: a receiver answers 503 `{"error":"db down"}`, then
    /// 200. Both attempts are listed through the API with their bodies; the
    /// headers kept are the safe ones.
    @Test(arguments: StoreKind.available)
    func bothAttemptsAreListedWithTheirBodies(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan(
            "/crm",
            answers: [
                .init(
                    status: 503,
                    headers: [
                        ("Content-Type", "application/json"), ("Retry-After", "2"), ("X-Request-Id", "req-1"),
                        ("Set-Cookie", "session=secret"), ("X-Api-Key", "k-secret"), ("X-Internal", "hidden"),
                    ], body: Array(#"{"error":"db down"}"#.utf8)),
                .init(status: 200, body: Array(#"{"id":42}"#.utf8)),
            ])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"crm","type":"http_request","url":"\(engine.receiver.url("/crm"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .retry(let message, _)? = try await engine.turn()?.outcome else { Issue.record("expected a retry"); return }
        #expect(message.hasSuffix("answered 503"))
        engine.clock.advance(seconds: 3)
        #expect(try await engine.turn()?.outcome == .completed)

        try await engine.base.withRouter { client in
            let shown = try await client.execute(
                uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(engine.base.apiKey))
            let step = try #require(try shown.json["execution"]?["steps"]?.arrayValue?.first)
            #expect(step["attempt_count"] == 2)
            #expect(step["attempts_omitted"] == 0)
            let attempts = try #require(step["attempts"]?.arrayValue)
            #expect(attempts.count == 2)
            guard attempts.count == 2 else { return }
            #expect(attempts[0]["number"] == 1 && attempts[1]["number"] == 2)
            #expect(attempts[0]["outcome"] == "answered" && attempts[0]["status_code"] == 503)
            #expect(attempts[0]["body"] == #"{"error":"db down"}"#)
            #expect(attempts[0]["body_truncated"] == false)
            #expect(attempts[0]["error"]?.stringValue?.hasSuffix("answered 503") == true)
            let headers = try #require(attempts[0]["headers"]?.objectValue)
            let names = Set(headers.keys.map { $0.lowercased() })
            #expect(names.isSuperset(of: ["content-type", "retry-after", "x-request-id"]), "\(names)")
            #expect(names.isSubset(of: StepAttempt.keptHeaders), "\(names)")
            #expect(headers.members.contains { $0.key.lowercased() == "retry-after" && $0.value == "2" })
            #expect(attempts[1]["outcome"] == "answered" && attempts[1]["status_code"] == 200)
            #expect(attempts[1]["body"] == #"{"id":42}"#)
            #expect(attempts[1]["error"] == .null)
            #expect(attempts[0]["duration_ms"]?.intValue != nil && attempts[0]["started_at"]?.stringValue != nil)
            // Nothing credential-like anywhere in the step.
            let text = JSONValue.object(try #require(step.objectValue)).serialized
            #expect(!text.contains("secret") && !text.contains("hidden"))
        }
    }

    /// A large body is kept to its first 4,096 bytes, cut on a UTF-8
    /// boundary and marked; a binary one is kept as base64.
    @Test func largeAndBinaryBodiesAreKeptSafely() async throws {
        let engine = try await EngineHarness.make()
        defer { engine.receiver.stop() }
        // "é" is two bytes: 4,096 is not a boundary after the one-byte prefix.
        let large = Array("x".utf8) + Array(String(repeating: "é", count: 6_000).utf8)
        let binary: [UInt8] = [0x00, 0xFF, 0xFE, 0x01, 0x80]
        engine.receiver.plan(
            "/big",
            answers: [
                .init(status: 500, body: large), .init(status: 500, headers: [("Content-Type", "application/octet-stream")], body: binary),
            ])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"big","type":"http_request","url":"\(engine.receiver.url("/big"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        _ = try await engine.turn()
        engine.clock.advance(seconds: 3)
        _ = try await engine.turn()
        let attempts = try #require(try await engine.steps(id)["big"]?.attemptLog.attempts)
        #expect(attempts.count == 2)
        guard attempts.count == 2 else { return }
        let kept = attempts[0].body ?? ""
        #expect(attempts[0].bodyTruncated && attempts[0].bodyEncoding == .text)
        #expect(kept.utf8.count == 4_095, "\(kept.utf8.count)")
        let isPrefix = large.starts(with: Array(kept.utf8))
        #expect(isPrefix)
        #expect(attempts[1].bodyEncoding == .base64 && !attempts[1].bodyTruncated)
        #expect(attempts[1].body.flatMap { Data(base64Encoded: $0) }.map(Array.init) == binary)
    }
}
