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

/// The whole path over a real socket with real workers: webhook in, steps
/// run (a local receiver, the simulated call), execution completed, and the
/// `call_completed` automation fired.
@Suite struct EndToEndTests {
    static func waitFor(_ timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test(arguments: StoreKind.available)
    func aWebhookRunsItsAutomationToTheEnd(_ kind: StoreKind) async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        let harness = try await TestHarness.make(kind) {
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 2)
            $0.engine.outboundAllow = ["127.0.0.1"]
            $0.engine.callSimulatorSeconds = 1
        }
        let definition = """
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"map","type":"transform","mappings":[{"source":"trigger.phone","target":"phone"},{"source":"trigger.name","target":"name","transform":"lowercase"}]},
              {"id":"contact","type":"upsert_contact","fields":{"phone_number":"{{mapped.phone}}","first_name":"{{mapped.name}}"}},
              {"id":"route","type":"condition","field":"trigger.source","operator":"equals","value":"website",
               "then":[{"id":"call","type":"create_call","script_id":"sales-v2","from_number":"+61291234567"}],
               "otherwise":[{"id":"slack","type":"http_request","url":"\(receiver.url("/slack"))"}]},
              {"id":"notify","type":"http_request","url":"\(receiver.url("/notify"))","body":{"contact":"{{contact.id}}","call":"{{call.status}}"}}]}
            """
        let followUp = """
            {"trigger":{"type":"call_completed"},"steps":[
              {"id":"writeback","type":"http_request","url":"\(receiver.url("/writeback"))","body":{"summary":"{{call.call_summary}}"}}]}
            """
        try await harness.application().test(.live) { client in
            var token = ""
            for (name, body) in [("lead", definition), ("after call", followUp)] {
                let created = try await client.execute(
                    uri: "/api/v1/automations", method: .post, headers: bearer(harness.apiKey),
                    body: ByteBuffer(string: #"{"name":"\#(name)","definition":\#(body)}"#))
                #expect(created.status == .created, "\(created.text)")
                if name == "lead" { token = try #require(try created.json["automation"]?["webhook"]?["token"]?.stringValue) }
            }
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "e2e-1"]),
                    body: ByteBuffer(string: #"{"phone":"0429069971","name":"ADA","source":"website"}"#)))

            var execution: JSONValue = .null
            let finished = try await Self.waitFor {
                let shown = try await client.execute(
                    uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
                execution = try shown.json["execution"] ?? .null
                return execution["status"]?.stringValue.flatMap(ExecutionStatus.init(rawValue:))?.isFinal == true
            }
            #expect(finished, "execution did not finish: \(execution.serialized)")
            #expect(execution["status"] == "completed", "\(execution.serialized)")
            let steps = execution["steps"]?.arrayValue ?? []
            #expect(steps.map { $0["id"] } == ["map", "contact", "route", "call", "slack", "notify"])
            #expect(steps.map { $0["status"] } == ["completed", "completed", "completed", "completed", "skipped", "completed"])
            let notify = try JSONParser().parse(receiver.requests(to: "/notify").first?.body ?? "")
            #expect(notify["call"] == "completed")
            #expect(notify["contact"]?.stringValue.flatMap(UUID.init(uuidString:)) != nil)
            #expect(receiver.requests(to: "/slack").isEmpty)

            // The finished call fired the call_completed automation.
            let fired = try await Self.waitFor { receiver.requests(to: "/writeback").count == 1 }
            #expect(fired)
            let writeback = try JSONParser().parse(receiver.requests(to: "/writeback").first?.body ?? "")
            #expect(writeback["summary"]?.stringValue?.hasPrefix("Simulated call") == true)
        }
    }

    @Test(arguments: StoreKind.available)
    func anIdleWorkerIsWokenByTheCommitNotByPolling(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) {
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 1)
            // A poll this slow would fail the test: only the work signal can start it in time.
            $0.engine.idlePoll = .seconds(30)
        }
        let (automation, _) = try await harness.automation()
        try await harness.application().test(.live) { client in
            // Let the worker go idle first.
            try await Task.sleep(for: .milliseconds(300))
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let done = try await Self.waitFor(.seconds(5)) {
                try await harness.store.execution(id: id, teamID: harness.teamID)?.status == .completed
            }
            #expect(done)
        }
    }
}
