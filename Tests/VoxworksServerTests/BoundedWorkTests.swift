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
import VoxworksTestSupport

/// Issue #25, "bounded work per request": the probe's bodies, sent whole,
/// cost bounded memory and time wherever they are read back (the sample's
/// API answer, the automation's console page), and no error message or log
/// line grows with what a sender or a client sent. Sizes and times are
/// printed for docs/RELIABILITY.md.
@Suite struct BoundedWorkTests {
    /// One key of `keyLength` characters holding `keys` members named
    /// `name(i)` with empty objects: the probe's shape.
    static func probe(keyLength: Int, keys: Int, name: (Int) -> String) -> String {
        var text = "{\"" + String(repeating: "k", count: keyLength) + "\":{"
        text += (0..<keys).map { "\"\(name($0))\":{}" }.joined(separator: ",")
        return text + "}}"
    }

    /// The probe as reported: 60,000 keys under a 60,000-character key.
    static let sixtyThousand = probe(keyLength: 60_000, keys: 60_000, name: { "\($0)" })
    /// The variant that aborted the node: 50,000 empty keys under it (360 KB).
    static let threeSixty = probe(keyLength: 60_000, keys: 50_000, name: { _ in "" })
    /// The largest body of that shape that is still kept as the sample.
    static let kept = probe(keyLength: 60_000, keys: 900, name: { _ in "" })

    /// The process's peak resident memory so far (Linux's VmHWM), in KiB; nil elsewhere.
    static func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }

    @Test func theProbesBuildBoundedFieldPaths() throws {
        #expect(Self.threeSixty.utf8.count > 355_000 && Self.threeSixty.utf8.count < 370_000, "\(Self.threeSixty.utf8.count)")
        let peakBefore = Self.peakResidentKiB()
        for body in [Self.sixtyThousand, Self.threeSixty, Self.kept] {
            let value = try JSONParser().parse(body)
            // Without the long key the same members are listed, up to the cap.
            let short = try JSONParser().parse(body.replacingOccurrences(of: String(repeating: "k", count: 60_000), with: "k"))
            let started = ContinuousClock.now
            let paths = value.fieldPaths(prefix: "trigger")
            let shortPaths = short.fieldPaths(prefix: "trigger")
            let elapsed = ContinuousClock.now - started
            let bytes = (paths + shortPaths).reduce(0) { $0 + $1.utf8.count }
            print(
                "bounded work: field paths of a \(body.utf8.count)-byte probe: \(paths.count) + \(shortPaths.count) paths, \(bytes) bytes, \(elapsed)"
            )
            // The long key is over the length cap: nothing under it is listed.
            #expect(paths.isEmpty)
            #expect(shortPaths.count > 1 && shortPaths.count <= JSONValue.maxFieldPaths)
            // At most 500 paths of at most 256 bytes: 128 KB, where unbounded
            // paths of the 360 KB body came to 3 GB.
            #expect(bytes <= JSONValue.maxFieldPaths * JSONValue.maxFieldPathBytes)
            #expect(elapsed < .seconds(10), "\(elapsed)")
        }
        // The process's high-water mark is shared with the suites running
        // beside this one, so it can only catch the gross case: unbounded,
        // the 360 KB body's paths needed gigabytes and aborted the process.
        if let before = peakBefore, let after = Self.peakResidentKiB() {
            print("bounded work: peak resident memory \(before) KiB before the field paths, \(after) KiB after")
            #expect(after - before < 1_048_576, "peak grew by \(after - before) KiB")
        }
    }

    /// The probe's bodies through ingest, then the sample read back through
    /// the API and the console, on both stores: the largest one kept is the
    /// sample, the others run but are never stored as it.
    @Test(arguments: StoreKind.available)
    func theProbesLeaveABoundedSampleOnEveryStore(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        #expect(AutomationSample.keeps(size: Self.kept.utf8.count))
        #expect(!AutomationSample.keeps(size: Self.threeSixty.utf8.count))
        let id = automation.id.lowercased
        try await harness.withRouter { client in
            for body in [Self.kept, Self.sixtyThousand, Self.threeSixty] {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)))
            }
            #expect(try await harness.executionCount() == 3)
            let stored = try await harness.store.sample(automationID: automation.id, teamID: harness.teamID)
            let storedIsKept = stored?.body == Array(Self.kept.utf8)
            #expect(storedIsKept, "the sample is \(stored?.body.count ?? 0) bytes")

            let started = ContinuousClock.now
            let answer = try await client.execute(uri: "/api/v1/automations/\(id)/sample", method: .get, headers: bearer(harness.apiKey))
            let apiElapsed = ContinuousClock.now - started
            #expect(answer.status == .ok)
            let sample = try #require(try answer.json["sample"])
            #expect(sample["fields"] == .array([]))
            // The payload as sent, plus the envelope: never the 100 MB of paths.
            #expect(answer.body.readableBytes < Self.kept.utf8.count + 4_096, "\(answer.body.readableBytes) bytes")
            #expect(apiElapsed < .seconds(10), "\(apiElapsed)")

            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let pageStarted = ContinuousClock.now
            let page = try await browser.get("/app/automations/\(id)")
            let pageElapsed = ContinuousClock.now - pageStarted
            #expect(page.status == .ok)
            #expect(page.body.readableBytes < 1_000_000, "\(page.body.readableBytes) bytes")
            #expect(pageElapsed < .seconds(20), "\(pageElapsed)")
            print(
                "bounded work (\(kind)): sample answer \(answer.body.readableBytes) bytes in \(apiElapsed), automation page \(page.body.readableBytes) bytes in \(pageElapsed)"
            )
        }
    }

    /// Listing executions (the API's list, the console's log and the
    /// automation list, which counts each automation's last 100) never
    /// loads their payloads: 100 rows of the body cap each were read and
    /// thrown away on every page, and with the cap raised to its 64 MiB
    /// maximum one visit could load 6 GB.
    @Test(arguments: StoreKind.available)
    func listingExecutionsLoadsNoPayloads(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation()
        let body = Array(("{\"pad\":\"" + String(repeating: "p", count: 1_000_000) + "\"}").utf8)
        let count = 20
        for _ in 0..<count {
            try await harness.store.insertExecution(
                NewExecution(
                    id: .v7(), teamID: harness.teamID, automationID: automation.id, body: body, receivedAt: .now()))
        }
        let listed = try await harness.store.executions(teamID: harness.teamID, query: ExecutionQuery(limit: 100))
        #expect(listed.count == count)
        let listedBytes = listed.reduce(0) { $0 + $1.body.count }
        #expect(listedBytes == 0, "\(listedBytes) payload bytes loaded by a listing")
        // One execution still has its payload whole.
        let first = try #require(listed.first)
        let whole = try await harness.store.execution(id: first.id, teamID: harness.teamID)?.body == body
        #expect(whole)
        try await harness.withRouter { client in
            let started = ContinuousClock.now
            let list = try await client.execute(uri: "/api/v1/executions?limit=100", method: .get, headers: bearer(harness.apiKey))
            let listElapsed = ContinuousClock.now - started
            #expect(list.status == .ok)
            #expect(try list.json["executions"]?.arrayValue?.count == count)
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let pageStarted = ContinuousClock.now
            let page = try await browser.get("/app/automations")
            let pageElapsed = ContinuousClock.now - pageStarted
            #expect(page.status == .ok)
            #expect(page.text.contains("\(count)"))
            print(
                "bounded work (\(kind)): \(count) executions of 1 MB: API list \(list.body.readableBytes) bytes in \(listElapsed), automations page in \(pageElapsed)"
            )
        }
    }

    /// A 900 KB value that can never be a phone number: the step's error,
    /// the execution's error and every log line (both formats) stay small.
    @Test(arguments: [false, true])
    func aHugeRefusedPhoneNumberLeavesBoundedErrorsAndLogLines(_ text: Bool) async throws {
        let capture = LogCapture(text: text)
        let harness = try await TestHarness.make {
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 1)
        }
        let definition = try JSONParser().parse(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"contact","type":"upsert_contact","fields":{"phone_number":"{{trigger.phone}}"}}]}
            """)
        let automation = try await harness.store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: harness.teamID, name: "phones", enabled: true, definition: definition, webhookID: .v7(),
                token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: .now())
        let phone = String(repeating: "9x", count: 450_000)
        try await harness.application(logger: capture.logger(level: .trace)).test(.live) { client in
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(),
                    body: ByteBuffer(string: #"{"phone":"\#(phone)"}"#)))
            let failed = try await EndToEndTests.waitFor(.seconds(20)) {
                try await harness.store.execution(id: id, teamID: harness.teamID)?.status == .failed
            }
            #expect(failed)
            let execution = try #require(try await harness.store.execution(id: id, teamID: harness.teamID))
            #expect((execution.error?.utf8.count ?? .max) <= StepFailure.maxMessageBytes + 32)
            #expect(execution.error?.contains("cannot be a phone number") == true)
            // The worker logs the failure after the store records it: wait for its line.
            _ = try await EndToEndTests.waitFor(.seconds(10)) {
                capture.lines.value.contains { $0.contains("cannot be a phone number") }
            }
            let lines = capture.lines.value
            let longest = lines.map(\.utf8.count).max() ?? 0
            let refusal = lines.filter { $0.contains("cannot be a phone number") }
            print(
                "bounded work: \(text ? "text" : "json") log, \(lines.count) lines, the longest \(longest) bytes; refusal line \(refusal.first?.utf8.count ?? 0) bytes"
            )
            // The refusal was logged (the check saw it), and no line holds the value.
            #expect(!refusal.isEmpty)
            #expect(longest < 8_192, "\(longest) bytes")
        }
    }

    /// Each log value and the message are cut, in both formats.
    @Test(arguments: [false, true])
    func logHandlersCutTheMessageAndEveryMetadataValue(_ text: Bool) {
        let capture = LogCapture(text: text)
        let logger = capture.logger(level: .info)
        let huge = String(repeating: "v", count: 1_000_000)
        logger.error("\(huge)", metadata: ["error": "\(huge)", "other": "\(huge)"])
        let lines = capture.lines.value
        #expect(lines.count == 1)
        let line = lines.first ?? ""
        // Three values of at most 2 KiB, their markers, the time and the keys.
        #expect(line.utf8.count < 3 * 2_048 + 512, "\(line.utf8.count) bytes")
        #expect(line.components(separatedBy: "more bytes").count == 4)
    }

    /// Error messages built from what a client sent quote a bounded part
    /// of it: an upsert key and a transform, each 900 KB.
    @Test func errorMessagesQuoteABoundedPartOfTheValue() async throws {
        let harness = try await TestHarness.make()
        let long = String(repeating: "x", count: 900_000)
        try await harness.withRouter { client in
            let upsert = try await client.execute(
                uri: "/api/v1/upsert-object", method: .post, headers: bearer(harness.apiKey),
                body: ByteBuffer(string: #"{"object_type":"lead","data":{"id":"1"},"upsert_key":"$.\#(long)"}"#))
            let definition = try await client.execute(
                uri: "/api/v1/automations", method: .post, headers: bearer(harness.apiKey),
                body: ByteBuffer(
                    string: """
                        {"name":"x","definition":{"trigger":{"type":"webhook"},"steps":[{"id":"map","type":"transform",
                         "mappings":[{"source":"trigger.a","target":"a","transform":"\(long)"}]}]}}
                        """))
            for (what, response) in [("upsert_key", upsert), ("transform", definition)] {
                #expect(response.status == .badRequest, "\(what): \(response.status)")
                let message = try response.json["message"]?.stringValue ?? ""
                print("bounded work: a 900 KB \(what) gives a \(response.body.readableBytes)-byte answer")
                #expect(!message.isEmpty, "\(what)")
                #expect(response.body.readableBytes < 2_048, "\(what): \(response.body.readableBytes) bytes")
            }
        }
    }
}
