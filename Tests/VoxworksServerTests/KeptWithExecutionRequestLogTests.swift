import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

@testable import VoxworksServer

/// The record of a request that created an execution is kept with the
/// execution, written by the ingest commit itself, not as a row of the
/// request log (docs/request-log.md): the API and the console still list
/// it with the refused requests, newest first, through one cursor.
@Suite struct KeptWithExecutionRequestLogTests {
    private static func ids(_ client: any TestClientProtocol, _ harness: TestHarness, _ query: String) async throws -> (
        ids: [String], next: String?
    ) {
        let response = try await client.execute(uri: "/api/v1/requests?\(query)", method: .get, headers: bearer(harness.apiKey))
        #expect(response.status == .ok, "\(query): \(response.text)")
        let json = try response.json
        return (json["requests"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [], json["meta"]?["next_cursor"]?.stringValue)
    }

    @Test(arguments: StoreKind.available)
    func anAcceptedRequestIsListedFromItsExecutionBesideTheRefusedOnes(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        let body = #"{"lead":{"email":"ada@example.com"}}"#
        try await harness.withRouter { client in
            let first = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post,
                    headers: jsonHeaders([
                        "X-Idempotency-Key": "lead-7", "User-Agent": "Sender/2.0", "Authorization": "Bearer top-secret-value",
                    ]),
                    body: ByteBuffer(string: body)))
            try expectError(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: body)),
                .badRequest, message: "Content-Type must be application/json")
            let second = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))

            // Newest first: the second execution's record, the refusal, the first's.
            let records = try await RequestLogTests.records(client, harness, atLeast: 3)
            #expect(records.count == 3)
            let refusedID = try #require(records.first { $0["status"]?.intValue == 400 }?["id"]?.stringValue)
            #expect(records.compactMap { $0["id"]?.stringValue } == [second.lowercased, refusedID, first.lowercased])
            let created = try #require(records.last)
            #expect(created["status"] == .int(202))
            #expect(created["message"] == .null)
            #expect(created["execution_id"]?.stringValue == first.lowercased)
            #expect(created["idempotency_key"] == "lead-7")
            #expect(created["method"] == "POST")
            #expect(created["content_type"] == "application/json")
            #expect((created["duration_ms"]?.intValue ?? -1) >= 0)
            #expect(created["body"]?.stringValue == body)
            #expect(created["body_bytes"] == .int(body.utf8.count))
            #expect(created["body_truncated"] == .bool(false))
            let headers = try #require(created["headers"]?.objectValue)
            #expect(headers["user-agent"] == "Sender/2.0")
            #expect(headers["authorization"] == "Bearer t…")
            #expect(headers["x-idempotency-key"] == "lead-7")

            // One by id, and the execution's link to it.
            let one = try await client.execute(uri: "/api/v1/requests/\(first.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try one.json["request"] == created)
            let execution = try await client.execute(
                uri: "/api/v1/executions/\(first.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try execution.json["execution"]?["request_id"]?.stringValue == first.lowercased)

            // Filters: a 202 is an execution's record, any other status a row.
            #expect(try await Self.ids(client, harness, "status=202").ids == [second.lowercased, first.lowercased])
            #expect(try await Self.ids(client, harness, "status=400").ids == [refusedID])

            // One cursor across both: a page of one at a time.
            var pages: [String] = []
            var cursor: String? = nil
            for _ in 0..<5 {
                let page = try await Self.ids(client, harness, "limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""))
                pages += page.ids
                cursor = page.next
                if cursor == nil { break }
            }
            #expect(pages == [second.lowercased, refusedID, first.lowercased])

            // The overview's counts include them.
            let now = harness.clock.now
            let counts = try await harness.store.requestCounts(
                teamID: harness.teamID, since: now.adding(seconds: -3_600), until: now.adding(seconds: 60))
            #expect(counts == RequestCounts(received: 3, refused: 1))

            // Only the refusal is a row of the log: deleting every row leaves the two accepted records.
            #expect(try await harness.store.deleteRequests(receivedBefore: now.adding(seconds: 3_600), limit: 100) == 1)
            #expect(try await Self.ids(client, harness, "").ids == [second.lowercased, first.lowercased])
        }
    }

    /// A form is stored with its execution as a JSON object; the record shows the body as received.
    @Test(arguments: StoreKind.available)
    func aConvertedBodyIsLoggedAsReceived(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            let created = try await VerificationAPITests.create(client, harness, ["accept": .array(["json", "form"])])
            let token = try #require(try created.json["automation"]?["webhook"]?["token"]?.stringValue)
            let form = "name=Ada+Lovelace&plan=pro"
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: form)))
            let record = try await client.execute(uri: "/api/v1/requests/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try record.json["request"]?["body"]?.stringValue == form)
            #expect(try record.json["request"]?["body_bytes"] == .int(form.utf8.count))
            let execution = try await client.execute(
                uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try execution.json["execution"]?["trigger"]?["name"] == "Ada Lovelace")
        }
    }

    /// Bodies past the log's size are cut when read; the execution keeps all of it.
    @Test(arguments: StoreKind.available)
    func anAcceptedBodyIsCutToTheLogsSize(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.requestLog.bodyBytes = 10 }
        let token = try await harness.automation().automation.webhook.token
        let body = #"{"padding":"\#(String(repeating: "x", count: 40))"}"#
        try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)))
            let record = try await client.execute(uri: "/api/v1/requests/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try record.json["request"]?["body"]?.stringValue == String(body.prefix(10)))
            #expect(try record.json["request"]?["body_bytes"] == .int(body.utf8.count))
            #expect(try record.json["request"]?["body_truncated"] == .bool(true))
        }
    }

    /// Past the log's retention the record is no longer shown, though the
    /// execution (kept for longer) still is.
    @Test(arguments: StoreKind.available)
    func anAcceptedRecordPastRetentionIsNoLongerShown(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let token = try await harness.automation().automation.webhook.token
        harness.clock.freeze()
        try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            #expect(try await Self.ids(client, harness, "").ids == [id.lowercased])
            harness.clock.advance(seconds: 169 * 3_600)
            #expect(try await Self.ids(client, harness, "").ids.isEmpty)
            let record = try await client.execute(uri: "/api/v1/requests/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(record.status == .notFound)
            let execution = try await client.execute(
                uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(execution.status == .ok)
            #expect(try execution.json["execution"]?["request_id"] == .null)
        }
    }

    /// The duration runs from arrival to the start of the commit that stores the record.
    @Test(arguments: StoreKind.available)
    func theDurationRunsFromArrivalToTheCommit(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let automation = try await harness.automation().automation
        let route = WebhookRoute(
            webhookID: automation.webhook.id, automationID: automation.id, teamID: harness.teamID, rateLimit: .webhookDefault,
            signingKeys: [])
        let id = UUID.v7()
        let log = ExecutionRequestLog(
            method: "POST", headers: [RequestHeader(name: "user-agent", value: "Test/1")], durationMillis: 0, bodyBytes: 2)
        let outcomes = try await harness.store.commitIngest([
            IngestRequest(
                executionID: id, route: route, body: Array("{}".utf8), contentType: "application/json", idempotencyKey: nil,
                fingerprint: nil, sourceAddress: "192.0.2.1", receivedAt: .now(), backlogLimit: 1_000, idempotencyTTL: 60,
                requestLog: log, arrived: ContinuousClock.now - .milliseconds(1_500))
        ])
        #expect(outcomes == [.accepted(id)])
        let record = try #require(try await harness.store.request(id: id, teamID: harness.teamID, view: RequestLogTests.everything))
        #expect((1_500..<60_000).contains(record.durationMillis), "\(record.durationMillis) ms")
        #expect(record.sourceIP == "192.0.2.1")
        #expect(record.headers == log.headers)
        #expect(record.executionID == id)
    }
}
