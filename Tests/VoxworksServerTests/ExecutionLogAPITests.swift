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

/// The execution log through the API: steps, replay, cancel, samples, and
/// definitions refused with the step and field named.
@Suite struct ExecutionLogAPITests {
    @Test(arguments: StoreKind.available)
    func aFailedStepCanBeSeenAndReplayedFromTheFailedStep(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        engine.receiver.plan("/flaky", statuses: [400])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"first","type":"http_request","url":"\(engine.receiver.url("/first"))"},
              {"id":"second","type":"http_request","url":"\(engine.receiver.url("/flaky"))","body":{"n":"{{trigger.n}}"}}]}
            """)
        let original = try await engine.trigger(automation, #"{"n":7}"#)
        try await engine.drain()
        try await engine.base.withRouter { client in
            let shown = try await client.execute(
                uri: "/api/v1/executions/\(original.lowercased)", method: .get, headers: bearer(engine.base.apiKey))
            let execution = try #require(try shown.json["execution"])
            #expect(execution["status"] == "failed")
            #expect(execution["error"]?.stringValue?.hasPrefix("step \"second\": POST") == true)
            #expect(execution["steps_total"] == 2)
            #expect(execution["steps_completed"] == 1)
            let steps = try #require(execution["steps"]?.arrayValue)
            #expect(steps.map { $0["id"] } == ["first", "second"])
            #expect(steps.map { $0["status"] } == ["completed", "failed"])
            #expect(steps[1]["input"]?["body"] == .object(["n": 7]))
            #expect(steps[1]["output"] == .null)
            #expect(steps[1]["error"]?.stringValue?.hasSuffix("answered 400") == true)
            #expect(steps[0]["duration_ms"]?.intValue != nil)
            #expect(steps[0]["attempt_count"] == 1)
            #expect(steps[0]["attempts"]?.arrayValue?.count == 1)
            #expect(steps[1]["attempts"]?.arrayValue?.first?["outcome"] == "answered")
            #expect(steps[1]["attempts"]?.arrayValue?.first?["status_code"] == 400)

            // The list shows steps done/total without the steps themselves.
            let list = try await client.execute(
                uri: "/api/v1/executions?automation_id=\(automation.id.lowercased)", method: .get, headers: bearer(engine.base.apiKey))
            let item = try #require(try list.json["executions"]?.arrayValue?.first)
            #expect(item["steps_completed"] == 1 && item["steps_total"] == 2)
            #expect(item["steps"] == nil && item["trigger"] == nil)

            // Replay from the failed step: the first step is not sent again.
            let replay = try await client.execute(
                uri: "/api/v1/executions/\(original.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey),
                body: ByteBuffer(string: #"{"from":"failed_step"}"#))
            let replayID = try expectAccepted(replay)
            try await engine.drain()
            let replayed = try await client.execute(
                uri: "/api/v1/executions/\(replayID.lowercased)", method: .get, headers: bearer(engine.base.apiKey))
            let replayedExecution = try #require(try replayed.json["execution"])
            #expect(replayedExecution["status"] == "completed")
            #expect(replayedExecution["replay_of"]?.stringValue == original.lowercased)
            #expect(replayedExecution["trigger"] == .object(["n": 7]))
            // The kept step comes with its attempt; the rerun step starts a log of its own.
            let replayedSteps = try #require(replayedExecution["steps"]?.arrayValue)
            #expect(replayedSteps.map { $0["attempts"]?.arrayValue?.count } == [1, 1])
            #expect(replayedSteps.last?["attempts"]?.arrayValue?.first?["status_code"] == 200)
            #expect(engine.receiver.requests(to: "/first").count == 1)
            #expect(engine.receiver.requests(to: "/flaky").count == 2)

            // From the start, everything runs again.
            let fromStart = try expectAccepted(
                try await client.execute(
                    uri: "/api/v1/executions/\(original.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey)))
            try await engine.drain()
            #expect(try await engine.execution(fromStart).status == .completed)
            #expect(engine.receiver.requests(to: "/first").count == 2)

            // Only failed executions replay from a failed step; bad input is a 400.
            try expectError(
                try await client.execute(
                    uri: "/api/v1/executions/\(replayID.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey),
                    body: ByteBuffer(string: #"{"from":"failed_step"}"#)), .conflict)
            try expectError(
                try await client.execute(
                    uri: "/api/v1/executions/\(original.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey),
                    body: ByteBuffer(string: #"{"from":"middle"}"#)), .badRequest, message: "from must be \"start\" or \"failed_step\"")
            try expectError(
                try await client.execute(
                    uri: "/api/v1/executions/\(original.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey),
                    body: ByteBuffer(string: #"{"from":5}"#)), .badRequest)
        }
    }

    /// What a receiver dedupes on: automatic retries and replays from the
    /// failed step send the original execution's `<execution>:<step>` key
    /// (the receiver may have processed an attempt that timed out on our
    /// side), even for a replay of a replay; a replay from the start is a
    /// new run and sends new keys.
    @Test(arguments: StoreKind.available)
    func replaysKeepTheKeysReceiversDedupeOn(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        // The original fails at `second` (a retry, then a refusal); so does its first replay.
        engine.receiver.plan("/second", statuses: [503, 400, 400])
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"first","type":"http_request","url":"\(engine.receiver.url("/first"))"},
              {"id":"second","type":"http_request","url":"\(engine.receiver.url("/second"))"}],
             "retry":{"max_attempts":3,"initial_backoff_seconds":1}}
            """)
        let original = try await engine.trigger(automation, "{}")
        try await engine.drain()
        engine.clock.advance(seconds: 5)
        try await engine.drain()
        #expect(try await engine.execution(original).status == .failed)
        let originalKey = "\(original.lowercased):second"
        #expect(engine.receiver.requests(to: "/second").map(\.idempotencyKey) == [originalKey, originalKey], "a retry sends the same key")

        try await engine.base.withRouter { client in
            func replay(_ id: UUID, from: String) async throws -> UUID {
                try expectAccepted(
                    try await client.execute(
                        uri: "/api/v1/executions/\(id.lowercased)/replay", method: .post, headers: bearer(engine.base.apiKey),
                        body: ByteBuffer(string: #"{"from":"\#(from)"}"#)))
            }
            let first = try await replay(original, from: "failed_step")
            try await engine.drain()
            #expect(try await engine.execution(first).status == .failed)
            let second = try await replay(first, from: "failed_step")
            try await engine.drain()
            #expect(try await engine.execution(second).status == .completed)
            let keys = engine.receiver.requests(to: "/second").map(\.idempotencyKey)
            #expect(keys == Array(repeating: originalKey, count: 4), "replays from the failed step reuse the original's key")

            let fresh = try await replay(original, from: "start")
            try await engine.drain()
            #expect(try await engine.execution(fresh).status == .completed)
            #expect(
                engine.receiver.requests(to: "/first").map(\.idempotencyKey) == [
                    "\(original.lowercased):first", "\(fresh.lowercased):first",
                ])
            #expect(
                engine.receiver.requests(to: "/second").last?.idempotencyKey == "\(fresh.lowercased):second",
                "a replay from the start sends new keys")
        }
    }

    @Test(arguments: StoreKind.available)
    func cancelStopsAPendingExecution(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"wait","type":"delay","seconds":600}]}
            """)
        let pending = try await engine.trigger(automation, "{}")
        let waiting = try await engine.trigger(automation, "{}")
        _ = try await engine.turn()  // the first one starts waiting
        let other = try await engine.base.otherTeam()
        try await engine.base.withRouter { client in
            try expectError(
                try await client.execute(
                    uri: "/api/v1/executions/\(pending.lowercased)/cancel", method: .post, headers: bearer(other.apiKey)), .notFound)
            for id in [pending, waiting] {
                let cancelled = try await client.execute(
                    uri: "/api/v1/executions/\(id.lowercased)/cancel", method: .post, headers: bearer(engine.base.apiKey))
                #expect(cancelled.status == .ok)
                #expect(try cancelled.json["execution"]?["status"] == "cancelled")
                try expectError(
                    try await client.execute(
                        uri: "/api/v1/executions/\(id.lowercased)/cancel", method: .post, headers: bearer(engine.base.apiKey)), .conflict)
            }
        }
        engine.clock.advance(seconds: 601)
        #expect(try await engine.turn() == nil, "cancelled executions never run")
        #expect(try await engine.execution(pending).status == .cancelled)
        #expect(try await engine.execution(waiting).status == .cancelled)
    }

    @Test(arguments: StoreKind.available)
    func theLastPayloadIsTheSampleWithItsFieldPaths(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        try await harness.withRouter { client in
            try expectError(
                try await client.execute(
                    uri: "/api/v1/automations/\(automation.id.lowercased)/sample", method: .get, headers: bearer(harness.apiKey)), .notFound
            )
            for body in [#"{"old":true}"#, #"{"phone":"0429069971","lead":{"source":"crm","tags":[{"name":"vip"}]}}"#] {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)))
            }
            let sample = try await client.execute(
                uri: "/api/v1/automations/\(automation.id.lowercased)/sample", method: .get, headers: bearer(harness.apiKey))
            #expect(sample.status == .ok)
            let json = try #require(try sample.json["sample"])
            #expect(json["payload"]?["phone"] == "0429069971")
            #expect(
                json["fields"]
                    == .array([
                        "trigger.phone", "trigger.lead", "trigger.lead.source", "trigger.lead.tags", "trigger.lead.tags.0",
                        "trigger.lead.tags.0.name",
                    ]))
            let other = try await harness.otherTeam()
            try expectError(
                try await client.execute(
                    uri: "/api/v1/automations/\(automation.id.lowercased)/sample", method: .get, headers: bearer(other.apiKey)), .notFound)
        }
    }

    @Test(arguments: [
        (#"{"id":"map","type":"transform"}"#, #"step "map": field "mappings""#),
        (#"{"id":"c","type":"condition","field":"trigger.a","operator":"bigger","value":1}"#, #"step "c": field "operator""#),
        (#"{"id":"u","type":"upsert_contact","match_on":"fax","fields":{"phone_number":"1"}}"#, #"step "u": field "match_on""#),
        (#"{"id":"h","type":"http_request","url":"ftp://x"}"#, #"step "h": field "url""#),
        (#"{"id":"h","type":"http_request","url":"https://x","timeout_seconds":600}"#, #"step "h": field "timeout_seconds""#),
        (#"{"id":"d","type":"delay"}"#, #"step "d": field "seconds""#),
        (#"{"id":"k","type":"create_call","from_number":"+61291234567"}"#, #"step "k": field "script_id""#),
        (#"{"id":"o","type":"upsert_object","object_type":"Bad Type","data":{}}"#, #"step "o": field "object_type""#),
    ])
    func invalidStepsAreRefusedNamingTheStepAndField(_ step: String, expected: String) async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let response = try await client.execute(
                uri: "/api/v1/automations", method: .post, headers: bearer(harness.apiKey),
                body: ByteBuffer(string: #"{"name":"x","definition":{"trigger":{"type":"webhook"},"steps":[\#(step)]}}"#))
            let message = try expectError(response, .badRequest)
            #expect(message.hasPrefix("Invalid definition: " + expected), "\(message)")
        }
    }
}
