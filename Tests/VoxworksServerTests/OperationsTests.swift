import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore

/// Metrics, logs and backups: what an operator relies on at 3 a.m.
@Suite struct OperationsTests {
    /// Parses the Prometheus text format into `name{labels}` → value.
    static func scrape(_ client: any TestClientProtocol, token: String) async throws -> [String: Double] {
        let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        var samples: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func metricsAreOffWithoutATokenAndProtectedWithOne() async throws {
        let off = try await TestHarness.make()
        try await off.withRouter { client in
            try expectError(try await client.execute(uri: "/metrics", method: .get), .notFound)
        }
        let on = try await TestHarness.make { $0.metricsToken = "scrape-secret" }
        try await on.withRouter { client in
            try expectError(try await client.execute(uri: "/metrics", method: .get), .unauthorized)
            try expectError(
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer nope"]), .unauthorized)
            try expectError(
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(on.apiKey)"]), .unauthorized)
            #expect(try await Self.scrape(client, token: "scrape-secret")["voxworks_executions_pending"] == 0)
        }
    }

    @Test func metricValuesMoveWithWebhooksAndExecutions() async throws {
        let harness = try await TestHarness.make {
            $0.metricsToken = "t"
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 1)
        }
        let automation = try await harness.store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: harness.teamID, name: "m", enabled: true,
                definition: try JSONParser().parse(
                    #"{"trigger":{"type":"webhook"},"steps":[{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a"}]}]}"#
                ),
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: .now())
        try await harness.application().test(.live) { client in
            let before = try await Self.scrape(client, token: "t")
            let hooks = #"voxworks_http_requests_total{route="/api/v1/hooks/{token}",status="202"}"#
            #expect(before[hooks] == nil)
            for index in 0..<3 {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(),
                        body: ByteBuffer(string: #"{"a":\#(index)}"#)))
            }
            try expectError(
                try await client.execute(uri: hookPath("unknown"), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .notFound)
            let done = try await EndToEndTests.waitFor(.seconds(10)) {
                try await harness.store.executions(teamID: harness.teamID, query: ExecutionQuery(status: .completed)).count == 3
            }
            #expect(done)
            let after = try await Self.scrape(client, token: "t")
            #expect(after[hooks] == 3)
            #expect(after[#"voxworks_http_requests_total{route="/api/v1/hooks/{token}",status="404"}"#] == 1)
            #expect(after["voxworks_ingest_duration_seconds_count"] == 4)
            #expect((after["voxworks_ingest_batch_size_count"] ?? 0) >= 1)
            #expect(after["voxworks_ingest_batch_size_sum"] == 3)
            #expect(after[#"voxworks_executions_finished_total{status="completed"}"#] == 3)
            #expect(after[#"voxworks_step_duration_seconds_count{type="transform",status="completed"}"#] == 3)
            #expect(after["voxworks_executions_pending"] == 0)
            #expect(after["voxworks_busy_workers"] == 0)
            #expect((after["voxworks_store_bytes"] ?? 0) > 0)
            // No raw path, so no token, ever appears in a label.
            let text = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer t"]).text
            #expect(!text.contains(automation.webhook.token))
        }
    }

    /// The default format: one line per event, metadata as key=value in
    /// key order, written only when a line is logged.
    @Test func textLogLinesCarryTheirIdsAndHoldNoSecrets() async throws {
        let capture = LogCapture(text: true)
        let harness = try await TestHarness.make()
        let (automation, key) = try await harness.automation(signing: true)
        let secret = try #require(key)
        let body = #"{"contact_phone":"0429069971"}"#
        try await harness.application(logger: capture.logger(level: .trace)).test(.live) { client in
            let signature = SignatureVerifier.sign(body: Array(body.utf8), key: secret)
            _ = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": signature]), body: ByteBuffer(string: body)))
            await harness.store.shutdown()
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": signature, "X-Request-Id": "req-broken-2"]),
                    body: ByteBuffer(string: body)), .internalServerError)
            let lines = capture.lines.value
            let failure = try #require(lines.first { $0.contains("request_id=req-broken-2") && $0.contains(" error ") })
            // `<time> error capture: key=value… [VoxworksServer] webhook ingest failed`, or
            // `… request failed` when the route cache (1 s) expired before the
            // request, so that the closed store failed the token's lookup first
            // (seen on a loaded machine).
            #expect(
                failure.hasSuffix("[VoxworksServer] webhook ingest failed") || failure.hasSuffix("[VoxworksServer] request failed"),
                "got: \(failure)")
            #expect(failure.contains(" error capture: "))
            let all = lines.joined(separator: "\n")
            #expect(!all.contains(automation.webhook.token))
            #expect(!all.contains(SecretMaterial.base64URL(secret)))
            #expect(!all.contains(signature))
            #expect(!all.contains(harness.apiKey))
        }
    }

    @Test func jsonLogLinesParseCarryTheirIdsAndHoldNoSecrets() async throws {
        let capture = LogCapture()
        let harness = try await TestHarness.make {
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 1)
        }
        let (automation, key) = try await harness.automation(signing: true)
        let secret = try #require(key)
        let body = #"{"contact_phone":"0429069971"}"#
        try await harness.application(logger: capture.logger(level: .trace)).test(.live) { client in
            let signature = SignatureVerifier.sign(body: Array(body.utf8), key: secret)
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": signature, "X-Request-Id": "req-signed-1"]), body: ByteBuffer(string: body)
                ))
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": String(repeating: "0", count: 64)]), body: ByteBuffer(string: body)),
                .unauthorized)
            _ = try await client.execute(uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            let finished = try await EndToEndTests.waitFor(.seconds(10)) {
                try await harness.store.execution(id: id, teamID: harness.teamID)?.status == .completed
            }
            #expect(finished)
            // A request that fails inside logs its cause with the request id.
            await harness.store.shutdown()
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": signature, "X-Request-Id": "req-broken-1"]),
                    body: ByteBuffer(string: body)), .internalServerError)
            let lines = capture.lines.value
            #expect(!lines.isEmpty)
            var parsed: [JSONValue] = []
            for line in lines {
                parsed.append(try JSONParser().parse(line))
            }
            #expect(parsed.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["message"] != nil })
            #expect(parsed.contains { $0["request_id"] == "req-broken-1" && $0["level"] == "error" })
            #expect(parsed.contains { $0["execution_id"]?.stringValue == id.lowercased && $0["message"] == "execution turn ended" })
            // Every line about a request carries its request id.
            #expect(
                parsed.filter { $0["hb.request.id"] != nil }.allSatisfy {
                    $0["request_id"] != nil || $0["message"]?.stringValue?.hasPrefix("Request") == true
                })
            let all = lines.joined(separator: "\n")
            #expect(!all.contains(automation.webhook.token))
            #expect(!all.contains(SecretMaterial.base64URL(secret)))
            #expect(!all.contains(signature))
            #expect(!all.contains(harness.apiKey))
        }
    }

    @Test func aBackupTakenUnderLoadHoldsEveryExecutionAcceptedBeforeIt() async throws {
        let harness = try await TestHarness.make()
        let token = try await harness.automation(rateLimit: RateLimit(perSecond: 100_000, burst: 100_000)).automation.webhook.token
        let backupPath = harness.directory.appendingPathComponent("backup.sqlite").path
        let acceptedBeforeBackup = try await harness.application().test(.live) { client in
            let accepted = LockedBox<[(UUID, ContinuousClock.Instant)]>([])
            let stop = LockedBox(false)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var index = 0
                        while !stop.value {
                            index += 1
                            let response = try await client.execute(
                                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "w\(worker)-\(index)"]),
                                body: ByteBuffer(string: #"{"n":\#(index)}"#))
                            let id = try expectAccepted(response)
                            accepted.withLock { $0.append((id, ContinuousClock.now)) }
                        }
                    }
                }
                // Back up in the middle of the load, once it is well under way.
                _ = try await EndToEndTests.waitFor(.seconds(20)) { accepted.value.count >= 50 }
                let backupStarted = ContinuousClock.now
                try await #require(harness.sqlite).backup(to: backupPath)
                try await Task.sleep(for: .milliseconds(200))
                stop.withLock { $0 = true }
                try await group.waitForAll()
                return accepted.value.filter { $0.1 < backupStarted }.map(\.0)
            }
        }
        #expect(acceptedBeforeBackup.count > 20, "the load ran")
        let restored = try SQLiteStore(path: backupPath, secretBox: harness.secretBox)
        let found = try await TestHarness.allExecutionIDs(in: restored, teamID: harness.teamID)
        #expect(Set(acceptedBeforeBackup).isSubset(of: found))
        let sqlite = try #require(harness.sqlite)
        await #expect(throws: BackupError.self) { try await sqlite.backup(to: backupPath) }
    }
}
