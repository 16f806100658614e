import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport

@testable import VoxworksServer

/// The request log (docs/request-log.md): what is recorded through the
/// real router, redaction, truncation, the flood cap and its metric, the
/// refusal log line, retention by the janitor, and the API.
@Suite struct RequestLogTests {
    /// Every record, whatever its age, with bodies up to a megabyte.
    static let everything = RequestLogView(keptSince: Timestamp(millis: 0), bodyBytes: 1 << 20)

    /// The team's records through the API, once at least `count` are there (the writer is asynchronous).
    static func records(
        _ client: any TestClientProtocol, _ harness: TestHarness, atLeast count: Int, query: String = ""
    ) async throws -> [JSONValue] {
        var found: [JSONValue] = []
        let seen = try await EndToEndTests.waitFor(.seconds(20)) {
            let response = try await client.execute(
                uri: "/api/v1/requests?limit=100\(query)", method: .get, headers: bearer(harness.apiKey))
            found = try response.json["requests"]?.arrayValue ?? []
            return found.count >= count
        }
        #expect(seen, "saw \(found.count) of \(count) records")
        return found
    }

    @Test(arguments: StoreKind.available)
    func recordsAcceptedAndRefusedRequestsWithRedactedHeaders(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, key) = try await harness.automation(signing: true)
        let secret = try #require(key)
        let token = automation.webhook.token
        let body = #"{"lead":{"email":"ada@example.com"}}"#
        let signature = SignatureVerifier.sign(body: Array(body.utf8), key: secret)
        let badSignature = String(repeating: "7", count: 64)
        try await harness.withRouter { client in
            let accepted = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post,
                    headers: jsonHeaders([
                        "X-Webhook-Signature": signature, "X-Idempotency-Key": "lead-1", "User-Agent": "Sender/1.0",
                        "Authorization": "Bearer very-secret-bearer-value", "Cookie": "session=cookie-secret-value",
                        "X-Custom-Thing": "not kept",
                    ]), body: ByteBuffer(string: body)))
            // Refused: a bad signature (401), a wrong content type (400), not JSON (400), a reused key (409).
            try expectError(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Webhook-Signature": badSignature]),
                    body: ByteBuffer(string: body)), .unauthorized, message: "Invalid webhook signature")
            try expectError(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: body)),
                .badRequest, message: "Content-Type must be application/json")
            let notJSON = "not json"
            try expectError(
                try await client.execute(
                    uri: hookPath(token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": SignatureVerifier.sign(body: Array(notJSON.utf8), key: secret)]),
                    body: ByteBuffer(string: notJSON)), .badRequest)
            let other = #"{"lead":{"email":"bob@example.com"}}"#
            try expectError(
                try await client.execute(
                    uri: hookPath(token), method: .post,
                    headers: jsonHeaders([
                        "X-Webhook-Signature": SignatureVerifier.sign(body: Array(other.utf8), key: secret), "X-Idempotency-Key": "lead-1",
                    ]), body: ByteBuffer(string: other)), .conflict)
            // An unknown token names no team: not recorded.
            try expectError(
                try await client.execute(
                    uri: hookPath(SecretMaterial.webhookToken()), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .notFound)

            let records = try await Self.records(client, harness, atLeast: 5)
            #expect(records.count == 5)
            #expect(Set(records.compactMap { $0["status"]?.intValue }) == [202, 401, 400, 409])
            #expect(records.contains { $0["message"] == "Content-Type must be application/json" && $0["content_type"] == "text/plain" })
            #expect(records.allSatisfy { $0["automation_id"]?.stringValue == automation.id.lowercased && $0["method"] == "POST" })

            let first = try #require(records.first { $0["status"]?.intValue == 202 })
            #expect(first["execution_id"]?.stringValue == accepted.lowercased)
            #expect(first["idempotency_key"] == "lead-1")
            #expect(first["message"] == .null)
            #expect(first["body"]?.stringValue == body)
            #expect(first["body_bytes"]?.intValue == body.utf8.count)
            #expect(first["body_truncated"] == .bool(false))
            #expect(first["content_type"] == "application/json")
            #expect((first["duration_ms"]?.intValue ?? -1) >= 0)
            let headers = try #require(first["headers"]?.objectValue)
            #expect(headers["user-agent"] == "Sender/1.0")
            #expect(headers["x-idempotency-key"] == "lead-1")
            #expect(headers["authorization"] == "Bearer v…")
            #expect(headers["cookie"] == "session=…")
            #expect(headers["x-webhook-signature"]?.stringValue == String(signature.prefix(8)) + "…")
            #expect(headers["x-custom-thing"] == nil)

            let refused = try #require(records.first { $0["status"]?.intValue == 401 })
            #expect(refused["message"] == "Invalid webhook signature")
            #expect(refused["execution_id"] == .null)
            #expect(try #require(records.first { $0["status"]?.intValue == 409 })["message"]?.stringValue?.contains("Idempotency") == true)

            // One record by id; the execution links back to it. The record of
            // the request that created an execution carries the execution's id.
            let id = try #require(first["id"]?.stringValue)
            #expect(id == accepted.lowercased)
            let one = try await client.execute(uri: "/api/v1/requests/\(id)", method: .get, headers: bearer(harness.apiKey))
            #expect(one.status == .ok)
            #expect(try one.json["request"] == first)
            let execution = try await client.execute(
                uri: "/api/v1/executions/\(accepted.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try execution.json["execution"]?["request_id"]?.stringValue == id)

            // No secret went into the log.
            let everything = try await client.execute(uri: "/api/v1/requests?limit=100", method: .get, headers: bearer(harness.apiKey)).text
            #expect(!everything.contains("very-secret-bearer-value"))
            #expect(!everything.contains("cookie-secret-value"))
            #expect(!everything.contains(signature) && !everything.contains(badSignature))
            #expect(!everything.contains(token))
        }
    }

    @Test(arguments: StoreKind.available)
    func aReplayIsRecordedApartAndTheExecutionLinksToTheRequestThatCreatedIt(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        try await harness.withRouter { client in
            var ids: [UUID] = []
            for _ in 0..<2 {
                ids.append(
                    try expectAccepted(
                        try await client.execute(
                            uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": "once"]),
                            body: ByteBuffer(string: "{}"))))
            }
            #expect(ids[0] == ids[1])
            let records = try await Self.records(client, harness, atLeast: 2)
            #expect(records.count == 2)
            #expect(records.allSatisfy { $0["status"]?.intValue == 202 && $0["execution_id"]?.stringValue == ids[0].lowercased })
            let created = try #require(records.first { $0["message"] == .null })
            let replay = try #require(records.first { $0["message"]?.stringValue == RequestLogRecorder.replayMessage })
            #expect(created["id"]?.stringValue == ids[0].lowercased)
            #expect(replay["id"] != created["id"])
            let execution = try await client.execute(
                uri: "/api/v1/executions/\(ids[0].lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try execution.json["execution"]?["request_id"] == created["id"])
        }
    }

    /// A batch already waiting is written at once: one pause per batch
    /// would cap the log at `batchSize / writeInterval` records a second
    /// and drop the rest of a faster ingest.
    @Test(arguments: StoreKind.available)
    func aBacklogOfFullBatchesIsWrittenWithoutAPauseEach(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let automation = try await harness.automation().automation
        var settings = RequestLogSettings()
        settings.batchSize = 4
        settings.writeInterval = .seconds(5)
        let recorder = RequestLogRecorder(
            store: harness.store, settings: settings, metrics: .disabled, clock: { Timestamp.now() }, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let now = Timestamp.now()
        for _ in 0..<12 {
            let pending = RequestLogRecorder.Pending(
                id: nil, teamID: harness.teamID, automationID: automation.id, receivedAt: now, durationMillis: 1, status: 202,
                message: nil, executionID: nil, method: "POST", headers: [], idempotencyKey: nil, contentType: nil, body: [], bodyBytes: 0,
                sourceIP: nil)
            #expect(recorder.enqueue(pending, refused: false) == .queued)
        }
        // Until all twelve are written (the writer then pauses once more
        // before it finds the queue empty and stops).
        var written = 0
        for _ in 0..<300 where written < 12 {
            try await Task.sleep(for: .milliseconds(100))
            written = try await harness.store.requests(
                teamID: harness.teamID, query: RequestLogQuery(limit: 100), view: RequestLogTests.everything
            ).count
        }
        let elapsed = ContinuousClock.now - started
        #expect(written == 12)
        // Three batches after one pause (about 5 s), not a pause before each
        // (15 s); the margin is for a machine loaded by other suites.
        #expect(elapsed < .seconds(11), "took \(elapsed)")
    }

    @Test(arguments: StoreKind.available)
    func bodiesPastTheConfiguredSizeAreTruncated(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.requestLog.bodyBytes = 10 }
        let token = try await harness.automation().automation.webhook.token
        let body = #"{"padding":"\#(String(repeating: "x", count: 40))"}"#
        try await harness.withRouter { client in
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)))
            let record = try #require(try await Self.records(client, harness, atLeast: 1).first)
            #expect(record["body"]?.stringValue == String(body.prefix(10)))
            #expect(record["body_bytes"]?.intValue == body.utf8.count)
            #expect(record["body_truncated"] == .bool(true))
        }
    }

    @Test(arguments: StoreKind.available)
    func aFloodOfRefusalsIsCappedAndTheDropsCounted(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) {
            $0.requestLog.refusedPerSecond = 3
            $0.metricsToken = "t"
        }
        let token = try await harness.automation(rateLimit: RateLimit(perSecond: 1, burst: 2)).automation.webhook.token
        // Frozen: every request falls in the same second, of the cap and of the rate limit.
        harness.clock.freeze()
        try await harness.withRouter { client in
            // Two accepted (the burst), then ten refused by the rate limit (429).
            for _ in 0..<2 {
                _ = try expectAccepted(
                    try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            }
            for _ in 0..<10 {
                let response = try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
                #expect(response.status == .tooManyRequests)
            }
            let records = try await Self.records(client, harness, atLeast: 5)
            // Nothing more arrives later: the drops were decided on the request path.
            try await Task.sleep(for: .milliseconds(300))
            let settled = try await Self.records(client, harness, atLeast: 5)
            #expect(settled.count == 5)
            #expect(records.filter { $0["status"]?.intValue == 429 }.count == 3)
            #expect(records.filter { $0["status"]?.intValue == 202 }.count == 2)
            #expect(records.first { $0["status"]?.intValue == 429 }?["message"]?.stringValue?.isEmpty == false)
            let samples = try await OperationsTests.scrape(client, token: "t")
            #expect(samples[#"voxworks_request_log_dropped_total{reason="flood"}"#] == 7)
        }
    }

    @Test(arguments: StoreKind.available)
    func eachRefusalIsLoggedOnceAtInfoAndFloodsAreSummed(_ kind: StoreKind) async throws {
        let capture = LogCapture()
        let harness = try await TestHarness.make(kind) { $0.requestLog.refusalLinesPerSecond = 2 }
        let (automation, _) = try await harness.automation(signing: true)
        let badSignature = String(repeating: "7", count: 64)
        harness.clock.freeze()
        try await harness.application(logger: capture.logger(level: .info)).test(.router) { client in
            for _ in 0..<5 {
                try expectError(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post,
                        headers: jsonHeaders(["X-Webhook-Signature": badSignature]), body: ByteBuffer(string: "{}")),
                    .unauthorized)
            }
            harness.clock.advance(seconds: 1.5)
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .unauthorized, message: "Missing webhook signature")
            let records = try await Self.records(client, harness, atLeast: 6)
            let ids = Set(records.compactMap { $0["id"]?.stringValue })

            let lines = capture.lines.value
            let parsed = try lines.map { try JSONParser().parse($0) }
            let refusals = parsed.filter { $0["message"] == "webhook refused" }
            #expect(refusals.count == 3)
            #expect(refusals.allSatisfy { $0["level"] == "info" && $0["automation_id"]?.stringValue == automation.id.lowercased })
            #expect(refusals.allSatisfy { ids.contains($0["request_log_id"]?.stringValue ?? "") && $0["request_id"] != nil })
            #expect(refusals.prefix(2).allSatisfy { $0["status"] == "401" && $0["reason"] == "Invalid webhook signature" })
            #expect(refusals.last?["reason"] == "Missing webhook signature")
            #expect(parsed.contains { $0["message"] == "3 refused webhooks not logged" && $0["level"] == "info" })
            let all = lines.joined(separator: "\n")
            #expect(!all.contains(badSignature) && !all.contains(automation.webhook.token))
        }
    }

    @Test(arguments: StoreKind.available)
    func theJanitorDeletesRecordsPastRetentionInBatches(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let automation = try await harness.automation().automation
        let now = Timestamp.now()
        let old = (0..<7).map { index in
            Self.record(harness, automation: automation.id, at: now.adding(seconds: -200 * 3_600 - Double(index)), status: 401)
        }
        let recent = (0..<2).map { index in
            Self.record(harness, automation: automation.id, at: now.adding(seconds: -Double(index)), status: 202)
        }
        try await harness.store.recordRequests(old + recent)
        let janitor = StoreJanitor(
            store: harness.store, batchSize: 3, retentionSeconds: nil, requestLogRetentionSeconds: 168 * 3_600,
            logger: Logger(label: "test"))
        #expect(await janitor.sweepRequestLog(now: now) == 7)
        let left = try await harness.store.requests(
            teamID: harness.teamID, query: RequestLogQuery(limit: 100), view: RequestLogTests.everything)
        #expect(Set(left.map(\.id)) == Set(recent.map(\.id)))
        // The full sweep runs it too.
        #expect(await janitor.sweepRequestLog(now: now.adding(seconds: 169 * 3_600)) == 2)
    }

    @Test(arguments: StoreKind.available)
    func theAPIFiltersPagesAndRefusesBadParameters(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let a = try await harness.automation(name: "A").automation
        let b = try await harness.automation(name: "B").automation
        let (otherTeam, otherKey) = try await harness.otherTeam()
        let c = try await harness.automation(name: "C", teamID: otherTeam).automation
        let base = Timestamp(millis: 1_800_000_000_000)
        var built: [RequestRecord] = []
        for index in 0..<6 {
            built.append(
                Self.record(harness, automation: a.id, at: base.adding(seconds: Double(index)), status: index.isMultiple(of: 2) ? 202 : 401)
            )
        }
        built.append(Self.record(harness, automation: b.id, at: base.adding(seconds: 10), status: 415))
        var foreign = Self.record(harness, automation: c.id, at: base.adding(seconds: 11), status: 202)
        foreign.teamID = otherTeam
        // Stored with headers and a binary body, read back as written.
        built[0].headers = [RequestHeader(name: "user-agent", value: "X/1"), RequestHeader(name: "stripe-signature", value: "t=1,v1=ab…")]
        built[0].body = [0x7B, 0x7D, 0xFF]
        built[0].bodyBytes = 30_000
        try await harness.store.recordRequests(built + [foreign])
        let (records, theirs) = (built, foreign)
        let stored = try await harness.store.request(id: records[0].id, teamID: harness.teamID, view: RequestLogTests.everything)
        #expect(stored == records[0])
        #expect(
            try await harness.store.requestID(
                executionID: try #require(records[0].executionID), teamID: harness.teamID, view: RequestLogTests.everything)
                == records[0].id)
        #expect(
            try await harness.store.requestID(
                executionID: try #require(records[0].executionID), teamID: otherTeam, view: RequestLogTests.everything) == nil)

        try await harness.withRouter { client in
            func ids(_ query: String, key: String? = nil) async throws -> [String] {
                let response = try await client.execute(
                    uri: "/api/v1/requests?\(query)", method: .get, headers: bearer(key ?? harness.apiKey))
                #expect(response.status == .ok, "\(query): \(response.text)")
                return try response.json["requests"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            let mine = records.map(\.id.lowercased)
            #expect(try await ids("") == mine.reversed())
            #expect(try await ids("automation_id=\(b.id.lowercased)") == [records[6].id.lowercased])
            #expect(try await ids("status=401") == [records[5], records[3], records[1]].map(\.id.lowercased))
            #expect(
                try await ids("created_after=\(base.adding(seconds: 2).rfc3339)&created_before=\(base.adding(seconds: 4).rfc3339)")
                    == [records[3], records[2]].map(\.id.lowercased))
            #expect(try await ids("", key: otherKey) == [theirs.id.lowercased])

            // Pages of 3 by the cursor, then the end.
            var pages: [[String]] = []
            var cursor = ""
            for _ in 0..<5 {
                let response = try await client.execute(
                    uri: "/api/v1/requests?limit=3\(cursor.isEmpty ? "" : "&cursor=\(cursor)")", method: .get,
                    headers: bearer(harness.apiKey))
                let json = try response.json
                pages.append(json["requests"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                guard let next = json["meta"]?["next_cursor"]?.stringValue else { break }
                cursor = next
            }
            #expect(pages.flatMap { $0 } == mine.reversed())
            #expect(pages.map(\.count) == [3, 3, 1])

            let binary = try await client.execute(
                uri: "/api/v1/requests/\(records[0].id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            let request = try binary.json["request"]
            #expect(request?["body_truncated"] == .bool(true) && request?["body_bytes"]?.intValue == 30_000)
            #expect(request?["headers"]?["stripe-signature"] == "t=1,v1=ab…")

            try expectError(
                try await client.execute(uri: "/api/v1/requests/\(UUID().uuidString)", method: .get, headers: bearer(harness.apiKey)),
                .notFound, message: "Request not found")
            try expectError(
                try await client.execute(uri: "/api/v1/requests/\(theirs.id.lowercased)", method: .get, headers: bearer(harness.apiKey)),
                .notFound, message: "Request not found")
            try expectError(
                try await client.execute(uri: "/api/v1/requests/not-a-uuid", method: .get, headers: bearer(harness.apiKey)), .notFound)
            for (query, message) in [
                ("status=abc", "status must be an HTTP status from 100 to 599"),
                ("status=99", "status must be an HTTP status from 100 to 599"),
                ("limit=0", "limit must be an integer from 1 to 100"),
                ("limit=101", "limit must be an integer from 1 to 100"),
                ("automation_id=x", "automation_id must be a UUID"),
                ("cursor=x", "cursor must be a UUID"),
                ("created_after=yesterday", "created_after must be an RFC 3339 time such as 2026-01-31T09:00:00Z"),
                ("created_before=1", "created_before must be an RFC 3339 time such as 2026-01-31T09:00:00Z"),
            ] {
                try expectError(
                    try await client.execute(uri: "/api/v1/requests?\(query)", method: .get, headers: bearer(harness.apiKey)), .badRequest,
                    message: message)
            }
            try expectError(try await client.execute(uri: "/api/v1/requests", method: .get), .unauthorized)
        }
    }

    @Test(arguments: StoreKind.available)
    func theConsoleListsRequestsAndShowsOneEscaped(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation(name: "Lead form", signing: true)
        let hostile = #"{"name":"<script>alert(1)</script>"}"#
        try await harness.withRouter { client in
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post,
                    headers: jsonHeaders(["X-Webhook-Signature": String(repeating: "1", count: 64), "User-Agent": "<b>agent</b>"]),
                    body: ByteBuffer(string: hostile)), .unauthorized)
            let record = try #require(try await Self.records(client, harness, atLeast: 1).first)
            let id = try #require(record["id"]?.stringValue)
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let list = try await browser.get(
                "/app/requests?status=401&automation_id=\(automation.id.lowercased)&from=2000-01-01&to=2999-12-31")
            #expect(list.status == .ok)
            #expect(list.text.contains("href=\"/app/requests/\(id)\""))
            #expect(list.text.contains("Invalid webhook signature") && list.text.contains("Lead form"))
            #expect(list.text.contains("href=\"/app/requests\" aria-current=\"page\""))
            let none = try await browser.get("/app/requests?status=202")
            #expect(none.status == .ok && !none.text.contains("href=\"/app/requests/\(id)\""))
            #expect(try await browser.get("/app/requests?status=abc").status == .badRequest)
            #expect(try await browser.get("/app/requests?from=yesterday").status == .badRequest)

            let detail = try await browser.get("/app/requests/\(id)")
            #expect(detail.status == .ok)
            let html = detail.text
            #expect(!html.contains("<script>alert") && !html.contains("<b>agent"))
            #expect(html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;agent"))
            #expect(html.contains("Invalid webhook signature"))
            #expect(html.contains("11111111…"))
            #expect(!html.contains(String(repeating: "1", count: 64)))
            #expect(try await browser.get("/app/requests/\(UUID().uuidString)").status == .notFound)
        }
        // An accepted request's execution page links to it.
        let plain = try await harness.automation(name: "Plain").automation
        try await harness.withRouter { client in
            let execution = try expectAccepted(
                try await client.execute(
                    uri: hookPath(plain.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            let records = try await Self.records(client, harness, atLeast: 2)
            let id = try #require(records.first { $0["status"]?.intValue == 202 }?["id"]?.stringValue)
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/executions/\(execution.lowercased)")
            #expect(page.text.contains("href=\"/app/requests/\(id)\""))
        }
    }

    @Test func headersAreChosenRedactedAndCapped() {
        var fields = HTTPFields()
        fields[.userAgent] = "Stripe/1.0"
        fields.append(HTTPField(name: HTTPField.Name("Stripe-Signature")!, value: "t=1700000000,v1=abcdef0123456789"))
        fields.append(HTTPField(name: HTTPField.Name("X-Hub-Signature-256")!, value: "sha256=0123456789abcdef"))
        fields.append(HTTPField(name: HTTPField.Name("svix-id")!, value: "msg_1"))
        fields.append(HTTPField(name: HTTPField.Name("X-Gitlab-Token")!, value: "short"))
        fields.append(HTTPField(name: HTTPField.Name("X-Api-Key")!, value: "dropped entirely"))
        fields.append(HTTPField(name: HTTPField.Name("X-Slack-Request-Timestamp")!, value: String(repeating: "9", count: 2_000)))
        fields.append(HTTPField(name: .cookie, value: "a=1"))
        fields.append(HTTPField(name: .cookie, value: "b=2"))
        let kept = RequestLogHeaders.select(fields)
        let byName = Dictionary(kept.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(byName["user-agent"] == "Stripe/1.0")
        #expect(byName["stripe-signature"] == "t=170000…")
        #expect(byName["x-hub-signature-256"] == "sha256=0…")
        #expect(byName["svix-id"] == "msg_1")
        // A value shorter than 16 characters shows at most half of itself.
        #expect(byName["x-gitlab-token"] == "sh…")
        #expect(byName["x-api-key"] == nil)
        #expect((byName["x-slack-request-timestamp"]?.utf8.count ?? 0) < 600)
        #expect(byName["cookie"]?.contains("=1") == false && byName["cookie"]?.hasSuffix("…") == true)
        #expect(kept.filter { $0.name == "cookie" }.count == 1)

        var many = HTTPFields()
        for index in 0..<100 { many.append(HTTPField(name: HTTPField.Name("X-Webhook-N\(index)")!, value: "v")) }
        #expect(RequestLogHeaders.select(many).count == RequestLogHeaders.maxCount)
    }

    /// The treatments decided once (the writer's fast path) say what the
    /// rules say, name by name, with Foundation's substring search as the
    /// reference for the byte-wise one.
    @Test func headerTreatmentsDecidedOnceFollowTheRules() {
        let names =
            Array(RequestLogHeaders.knownTreatments.keys) + [
                "svix-signature", "x-hub-signature-256", "x-gitlab-token", "webhook-id", "x-api-key", "x-slack-request-timestamp",
            ]
        var checked = 0
        for name in names {
            let secret =
                !RequestLogHeaders.plainKeys.contains(name) && RequestLogHeaders.secretWords.contains { name.range(of: $0) != nil }
            let expected: RequestLogHeaders.Treatment = !RequestLogHeaders.kept(name) ? .drop : secret ? .redact : .keep
            #expect(RequestLogHeaders.treatment(name) == expected, "\(name)")
            checked += 1
        }
        #expect(checked > 40)
        #expect(RequestLogHeaders.treatment("stripe-signature") == .redact)
        #expect(RequestLogHeaders.treatment("x-hub-signature-256") == .redact)
        #expect(RequestLogHeaders.treatment("x-idempotency-key") == .keep)
        #expect(RequestLogHeaders.treatment("host") == .drop)
        #expect(RequestLogHeaders.treatment("x-api-key") == .drop)
        // Asked again, a remembered name gets the same answer.
        for name in names { #expect(RequestLogHeaders.treatment(name) == RequestLogHeaders.decide(name), "\(name)") }
    }

    /// Senders choose header names: the names remembered on the way are
    /// bounded, and a name past the bound is still decided by the rules.
    @Test func rememberedHeaderNamesAreBounded() {
        for index in 0..<(RequestLogHeaders.maxLearned + 200) {
            _ = RequestLogHeaders.treatment("x-webhook-flood-\(index)-signature")
        }
        #expect(RequestLogHeaders.learnedCount <= RequestLogHeaders.maxLearned)
        #expect(RequestLogHeaders.learnedCount > 0)
        #expect(RequestLogHeaders.treatment("x-webhook-past-the-bound-signature") == .redact)
        #expect(RequestLogHeaders.treatment("x-custom-past-the-bound") == .drop)
    }

    static func record(_ harness: TestHarness, automation: UUID, at time: Timestamp, status: Int) -> RequestRecord {
        RequestRecord(
            // A generator of its own: the shared one never goes back in time,
            // and retention reads a record's time from its id.
            id: UUIDv7Generator().next(nowMillis: UInt64(time.millis)), teamID: harness.teamID, automationID: automation,
            receivedAt: time, status: status, message: status == 202 ? nil : "refused", executionID: status == 202 ? UUID() : nil,
            idempotencyKey: nil, sourceIP: "127.0.0.1", durationMillis: 1, method: "POST", contentType: "application/json", headers: [],
            body: Array("{}".utf8), bodyBytes: 2)
    }
}
