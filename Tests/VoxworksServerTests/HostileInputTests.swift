import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// Webhook tokens built to break path handling, and SQL metacharacters in
/// every field a client controls: nothing crashes, nothing answers 5xx,
/// nothing leaks into another row, and what was stored reads back byte for
/// byte (every query binds its values; none is built from input).
@Suite struct HostileInputTests {
    /// Raw request targets, sent as bytes over a socket so no client
    /// normalises them first.
    static let hostileTokens = [
        "..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f", "abc%00def", "%00", "abc%00",
        String(repeating: "A", count: 10_000), "%C3%BCn%C3%AFc%C3%B6d%C3%A9", "%F0%9F%94%A5", "%FF%FE",
        "'%20OR%20'1'='1", "x';DROP%20TABLE%20webhooks;--", "%27%3B%20DELETE%20FROM%20executions%3B%20--", "*", "%25",
    ]

    @Test func hostileTokensAnswerTheContractAndTheServerKeepsServing() async throws {
        let harness = try await TestHarness.make { $0.notFoundLimit = nil }
        let token = try await harness.automation().automation.webhook.token
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            for hostile in Self.hostileTokens {
                let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
                let sent = await connection.sendOffPool(
                    Array(
                        "POST /api/v1/hooks/\(hostile) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                            .utf8))
                let answer = await connection.receive(until: isCompleteResponse)
                // 404 (a token with a slash is another path: the router's
                // 404), or 400 for a target the HTTP parser refuses; never
                // 2xx or 5xx, and a 404 in the contract's shape.
                #expect(sent, "\(hostile.prefix(40))")
                #expect(
                    answer.hasPrefix("HTTP/1.1 404") || answer.hasPrefix("HTTP/1.1 400"), "\(hostile.prefix(40)): \(answer.prefix(120))")
                if answer.hasPrefix("HTTP/1.1 404") {
                    #expect(answer.contains(#"{"success":false,"message":""#), "\(hostile.prefix(40))")
                    #expect(hostile.contains("/") || answer.contains(#""message":"Webhook not found"}"#), "\(hostile.prefix(40))")
                }
            }
            // The real webhook still works, and nothing was stored for the others.
            _ = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
        }
        #expect(try await harness.executionCount() == 1)
    }

    static let metacharacters = #"Robert'); DROP TABLE automations; -- " \ % _ ` $1 ?; /* */ ' OR '1'='1"#

    @Test(arguments: StoreKind.available)
    func sqlMetacharactersInEveryFieldAreStoredAsTextAndReadBack(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let text = Self.metacharacters
        let quoted = try Self.jsonString(text)
        try await harness.withRouter { client in
            // An automation's name.
            let created = try await client.execute(
                uri: "/api/v1/automations", method: .post, headers: bearer(harness.apiKey),
                body: ByteBuffer(string: #"{"name":\#(quoted)}"#))
            #expect(created.status == .created)
            let automation = try #require(try created.json["automation"])
            #expect(automation["name"]?.stringValue == text)
            let token = try #require(automation["webhook"]?["token"]?.stringValue)
            let automationID = try #require(automation["id"]?.stringValue)

            // A webhook body and an idempotency key full of metacharacters.
            let body =
                #"{"name":\#(quoted),"\#(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))":1}"#
            let key = "k';DELETE/**/FROM/**/executions;--\"%_"
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": key]), body: ByteBuffer(string: body)))
            let replay = try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(["X-Idempotency-Key": key]), body: ByteBuffer(string: body))
            #expect(try expectAccepted(replay) == id)
            let shown = try await client.execute(uri: "/api/v1/executions/\(id.lowercased)", method: .get, headers: bearer(harness.apiKey))
            #expect(try shown.json["execution"]?["trigger"]?["name"]?.stringValue == text)

            // A contact's fields.
            let contact = try await client.execute(
                uri: "/api/v1/create-contact", method: .post, headers: bearer(harness.apiKey),
                body: ByteBuffer(
                    string:
                        #"{"phone_number":"0429069971","first_name":\#(quoted),"last_name":\#(quoted),"title":\#(quoted),"address":\#(quoted)}"#
                ))
            #expect(contact.status == .created)
            #expect(try contact.json["contact"]?["first_name"]?.stringValue == text)
            #expect(try contact.json["contact"]?["address"]?.stringValue == text)

            // Filters and ids in query strings and paths: refused or empty, never all rows.
            let escaped = try #require(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            for uri in [
                "/api/v1/executions?status=\(escaped)", "/api/v1/executions?automation_id=\(escaped)",
                "/api/v1/executions?cursor=\(escaped)", "/api/v1/contacts?email=\(escaped)",
                "/api/v1/automations?cursor=\(escaped)", "/api/v1/executions/\(escaped)", "/api/v1/automations/\(escaped)",
                "/api/v1/get-contact/\(escaped)",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: bearer(harness.apiKey))
                #expect([.badRequest, .notFound, .ok].contains(response.status), "\(uri): \(response.status)")
                if response.status == .ok {
                    #expect(try response.json["contacts"]?.arrayValue?.isEmpty ?? true, "\(uri) matched rows")
                }
            }

            // Everything is still there.
            let listed = try await client.execute(
                uri: "/api/v1/executions?automation_id=\(automationID)", method: .get, headers: bearer(harness.apiKey))
            #expect(try listed.json["executions"]?.arrayValue?.count == 1)
        }
        #expect(try await harness.executionCount() == 1)
    }

    static func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    /// The probe that stopped a node: a 60 KB body, one 60,000-character key
    /// holding 60,000 empty keys, made the sample endpoint build 100 MB of
    /// field paths (336 MB peak); a 360 KB one aborted the process, and again
    /// at every visit because the sample was stored. Both stores.
    @Test(arguments: StoreKind.available)
    func thePathologicalSampleCostsBoundedTimeAndSpace(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        func body(keys: Int, keyLength: Int) -> String {
            var text = "{\"" + String(repeating: "k", count: keyLength) + "\":{"
            text += (0..<keys).map { "\"\($0)\":{}" }.joined(separator: ",")
            return text + "}}"
        }
        let probe = body(keys: 2_200, keyLength: 40_000)
        let larger = body(keys: 40_000, keyLength: 60_000)
        #expect(probe.utf8.count > 55_000 && probe.utf8.count < AutomationSample.maxBytes, "\(probe.utf8.count)")
        #expect(larger.utf8.count > 300_000)
        let samplePath = "/api/v1/automations/\(automation.id.lowercased)/sample"
        try await harness.withRouter { client in
            for payload in [probe, larger] {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: payload)))
            }
            // The larger body was accepted but not kept: the sample is the probe's.
            let started = ContinuousClock.now
            let answer = try await client.execute(uri: samplePath, method: .get, headers: bearer(harness.apiKey))
            let elapsed = ContinuousClock.now - started
            #expect(answer.status == .ok)
            // The payload itself, and no field path: the long key is over the length cap.
            #expect(answer.body.readableBytes < probe.utf8.count + 4_096, "\(answer.body.readableBytes) bytes")
            #expect(elapsed < .seconds(10), "\(elapsed)")
            let sample = try #require(try answer.json["sample"])
            #expect(sample["fields"] == .array([]))
            #expect(sample["payload"]?.serialized.utf8.count == probe.utf8.count)
        }
    }
}
