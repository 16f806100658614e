import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
@testable import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// A sender's text that the template engine's own escaping (one grapheme
/// cluster at a time) let through, on every console page that shows it;
/// and payloads built to make a page huge.
@Suite struct ConsoleHostileRenderingTests {
    /// One of each: `"` + U+0301 (combining acute), `'` + U+0301, `<` +
    /// U+20D2 (combining long vertical line overlay), U+0600 (a prepended
    /// concatenation mark) + `<` and + `>`, the last two as a refresh tag.
    static func hostile(url: String = "http://127.0.0.1:9/x") -> String {
        "\"\u{301} onmouseover=alert(1) x=\"\u{301} '\u{301} onclick=alert(3) '\u{301} <\u{20D2}svg onload=alert(4)> "
            + "\u{600}<meta http-equiv=refresh content=0;url=\(url) \u{600}>"
    }

    /// What must be shown, escaped, wherever the hostile text is shown (in
    /// JSON too: none of these contains a character JSON escapes).
    static let shownEscaped = [
        "&quot;\u{301} onmouseover=alert(1) x=",
        "&#39;\u{301} onclick=alert(3) ",
        "&lt;\u{20D2}svg onload=alert(4)&gt;",
        "\u{600}&lt;meta http-equiv=refresh content=0;url=http://127.0.0.1:9/x \u{600}&gt;",
    ]

    /// Markup that must never appear raw.
    static let neverRaw = [
        "<meta http-equiv", "<\u{20D2}svg", "onmouseover=alert(1) x=\"", "\"\u{301}", "'\u{301}", "\u{600}<", "\u{600}>",
    ]

    /// Byte search: `String.contains` compares grapheme clusters, and a
    /// `<` clustered with U+0600 before it would not match a needle starting with `<`.
    static func containsBytes(_ text: String, _ needle: String) -> Bool {
        Array(text.utf8).firstRange(of: Array(needle.utf8)) != nil
    }

    /// Every place where HTML syntax (`" ' < >`) is clustered with the
    /// scalar after it (a combining mark) or before it (a prepended
    /// concatenation mark): exactly what the engine's escaping missed.
    /// (`&` after U+0600 is how an escaped `<` starts: a character reference
    /// is read code point by code point.)
    static func clusteredSyntax(_ html: String) -> [String] {
        let syntax: Set<Unicode.Scalar> = ["\"", "'", "<", ">"]
        let prepended: Set<UInt32> = [0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD]
        let scalars = Array(html.unicodeScalars)
        var found: [String] = []
        for (previous, current) in zip(scalars, scalars.dropFirst()) {
            let mark: Set<Unicode.GeneralCategory> = [.nonspacingMark, .spacingMark, .enclosingMark]
            if syntax.contains(previous), mark.contains(current.properties.generalCategory) || current.value == 0x200D {
                found.append("U+\(String(previous.value, radix: 16)) U+\(String(current.value, radix: 16))")
            }
            if prepended.contains(previous.value), syntax.contains(current) {
                found.append("U+\(String(previous.value, radix: 16)) U+\(String(current.value, radix: 16))")
            }
        }
        return found
    }

    /// The checks for one page: nothing raw, and the hostile text shown escaped.
    static func expectEscaped(_ html: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(html.utf8.count > 200, "\(what) is empty", sourceLocation: sourceLocation)
        #expect(clusteredSyntax(html).isEmpty, "\(what): \(clusteredSyntax(html))", sourceLocation: sourceLocation)
        for raw in neverRaw {
            #expect(
                !containsBytes(html, raw), "\(what) has \(raw.unicodeScalars.map { String($0.value, radix: 16) })",
                sourceLocation: sourceLocation)
        }
        for shown in shownEscaped {
            #expect(containsBytes(html, shown), "\(what) does not show \(shown)", sourceLocation: sourceLocation)
        }
    }

    // MARK: The templates themselves

    @Test func everyRegisteredTemplateStartsWithTheConsoleEscapingAndNoneIsUnescaped() throws {
        #expect(ConsoleTemplates.registered.count == ConsoleTemplates.all.count)
        #expect(ConsoleTemplates.registered.count >= 12)
        for (name, text) in ConsoleTemplates.registered {
            #expect(text.hasPrefix("{{% CONTENT_TYPE: CONSOLE_HTML}}\n"), "\(name)")
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name)")
        }
        _ = try ConsoleTemplates.library.get()
    }

    /// Every variable of every template (partials included), set to the
    /// hostile text: once with every section shown, once with every section
    /// hidden (which shows the inverted ones).
    @Test func everyVariableOfEveryTemplateIsEscapedPerScalar() throws {
        let hostile = Self.hostile()
        var checked = 0
        for (name, text) in ConsoleTemplates.all {
            let tags = text.matches(of: /\{\{\s*([#^\/]?)\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/)
            let variables = Set(tags.filter { $0.output.1.isEmpty }.map { String($0.output.2) })
            let sections = Set(tags.filter { !$0.output.1.isEmpty }.map { String($0.output.2) })
            var shown: [String: Any] = [:]
            for key in variables.union(sections) { shown[key] = hostile }
            var hidden = shown
            for key in sections { hidden[key] = false }
            for data in [shown, hidden] {
                let html = ConsolePage.renderText(name, data)
                #expect(Self.clusteredSyntax(html).isEmpty, "\(name): \(Self.clusteredSyntax(html))")
                for raw in Self.neverRaw { #expect(!Self.containsBytes(html, raw), "\(name)") }
            }
            if !variables.isEmpty {
                #expect(Self.containsBytes(ConsolePage.renderText(name, shown), Self.shownEscaped[3]), "\(name) shows nothing")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    // MARK: Every page, in process

    @Test func hostileUnicodeIsEscapedOnEveryConsolePage() async throws {
        let harness = try await TestHarness.make()
        let hostile = Self.hostile()
        let name = "Lead " + hostile
        let (automation, _) = try await harness.automation(name: name)
        let payload = JSONValue.object([hostile: .string(hostile), "nested": .object([hostile: .array([.string(hostile)])])]).serialized
        try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: payload)))
            #expect(try await harness.store.sample(automationID: automation.id, teamID: harness.teamID)?.body == Array(payload.utf8))
            // A step in progress with the hostile text in its input, output and error.
            let now = harness.clock.now
            let claimed = try #require(try await harness.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 300)))
            #expect(claimed.execution.id == id)
            let value = JSONValue.object([hostile: .string(hostile)])
            #expect(
                try await harness.store.recordStep(
                    executionID: id, worker: "w",
                    record: StepRecord(
                        stepID: "crm", position: 0, type: "http_request", status: .failed, startedAt: now, finishedAt: now,
                        attempts: 1, input: value, output: value, error: "refused: " + hostile,
                        attemptLog: StepAttemptLog(attempts: [
                            StepAttempt(
                                number: 1, startedAt: now, durationMillis: 3, outcome: .answered, statusCode: 503,
                                headers: [AttemptHeader(name: "X-Request-Id", value: hostile)], body: hostile, error: hostile)
                        ])),
                    context: nil, stepsCompleted: 0))

            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let a = automation.id.lowercased
            let fragment: HTTPFields = [.consoleFragment: "1"]
            var pages = [
                ("automations list", try await browser.get("/app/automations")),
                ("automation page", try await browser.get("/app/automations/\(a)")),
                ("automation recent fragment", try await browser.get("/app/automations/\(a)", headers: fragment)),
                ("edit form", try await browser.get("/app/automations/\(a)/edit")),
                ("edit form refused", try await browser.post("/app/automations/\(a)", ["name": name, "definition": "{"])),
                ("executions list", try await browser.get("/app/executions")),
                ("executions of the automation", try await browser.get("/app/executions?automation_id=\(a)")),
                ("executions fragment", try await browser.get("/app/executions", headers: fragment)),
                ("execution page (running)", try await browser.get("/app/executions/\(id.lowercased)")),
                ("execution live fragment (running)", try await browser.get("/app/executions/\(id.lowercased)", headers: fragment)),
            ]
            #expect(pages[8].1.text.contains("data-refresh=\"3000\""))
            // Finished, with the hostile text as the execution's error too.
            #expect(try await harness.store.finishTurn(executionID: id, worker: "w", outcome: .failed(hostile), now: now))
            pages.append(("execution page (failed)", try await browser.get("/app/executions/\(id.lowercased)")))
            pages.append(("execution live fragment (failed)", try await browser.get("/app/executions/\(id.lowercased)", headers: fragment)))
            // The error column, the delete confirmation, and the hostile text typed into the filters.
            pages.append(("executions list (error column)", try await browser.get("/app/executions")))
            pages.append(("delete confirmation", try await browser.get("/app/automations/\(a)/delete")))
            let typed = ExecutionLogFilters.encode(hostile)
            pages.append(("executions filtered by the text", try await browser.get("/app/executions?idempotency_key=\(typed)")))
            pages.append(("field paths filtered by the text", try await browser.get("/app/automations/\(a)?fields=\(typed)")))

            for (what, response) in pages {
                #expect(
                    response.status == .ok || (what == "edit form refused" && response.status == .badRequest), "\(what): \(response.status)"
                )
                Self.expectEscaped(response.text, what)
            }
            // The sample's key and value, its field path, the step's error and the execution's error, each escaped where it shows.
            let automationPage = pages[1].1.text
            #expect(Self.containsBytes(automationPage, "<textarea id=\"payload\""))
            #expect(Self.containsBytes(automationPage, "\">trigger.\"\u{301} onmouseover") == false)
            #expect(Self.containsBytes(automationPage, "\">trigger.&quot;\u{301} onmouseover=alert(1)"))
            let failed = pages[10].1.text
            #expect(Self.containsBytes(failed, "<strong>✗ Error:</strong> refused: &quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(failed, "<strong>✗ Error:</strong> &quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(pages[12].1.text, "<span class=\"error-cell\">✗ &quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(pages[13].1.text, "<h1>Delete Lead &quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(pages[14].1.text, "name=\"idempotency_key\" value=\"&quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(pages[15].1.text, "name=\"fields\" value=\"&quot;\u{301} onmouseover"))
            // The attempt timeline: its body, header value and error, escaped.
            #expect(Self.containsBytes(failed, "HTTP attempts (1)"))
            #expect(Self.containsBytes(failed, "<pre class=\"json\">&quot;\u{301} onmouseover"))
            #expect(Self.containsBytes(failed, "<dd class=\"mono\">&quot;\u{301} onmouseover"))
            // The name in the edit form's value attribute: escaped, and the attribute closes where the template closes it.
            for edit in [pages[3].1.text, pages[4].1.text] {
                let escapedName =
                    "value=\"Lead &quot;\u{301} onmouseover=alert(1) x=&quot;\u{301} &#39;\u{301} onclick=alert(3) &#39;\u{301} "
                    + "&lt;\u{20D2}svg onload=alert(4)&gt; \u{600}&lt;meta http-equiv=refresh content=0;url=http://127.0.0.1:9/x \u{600}&gt;\" maxlength=\"200\""
                #expect(Self.containsBytes(edit, escapedName))
            }
        }
    }

    // MARK: Bounded rendering

    /// One element nested `depth` arrays deep.
    static func nested(depth: Int) -> String { String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth) }

    /// A JSON object of nested arrays just under `maxBytes`, 62 levels deep in all (the parser allows 64).
    static func nestedArraysBody(maxBytes: Int) -> String {
        let element = nested(depth: 60)
        let count = (maxBytes - 16) / (element.utf8.count + 1)
        return #"{"a":["# + Array(repeating: element, count: count).joined(separator: ",") + "]}"
    }

    /// A flat object of `keys` members, padded to just under `maxBytes`.
    static func flatObjectBody(keys: Int, maxBytes: Int) -> String {
        let padding = String(repeating: "p", count: max(0, (maxBytes - 2) / keys - 12))
        let members = (0..<keys).map { #""k\#(String(format: "%06d", $0))\#(padding)":0"# }
        return "{" + members.joined(separator: ",") + "}"
    }

    static let maxPageBytes = 1_000_000
    static let maxPageSeconds = 20.0

    /// The two shapes run one after the other: each costs seconds of CPU in
    /// a debug build, and together they starved the suite's timing tests.
    @Test(.serialized, arguments: ["nested arrays", "flat object"])
    func aOneMegabytePayloadRendersBoundedPagesAndItsRawJSONWhole(_ shape: String) async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Big")
        let limit = harness.configuration.maxBodyBytes
        let body = shape == "nested arrays" ? Self.nestedArraysBody(maxBytes: limit) : Self.flatObjectBody(keys: 60_000, maxBytes: limit)
        #expect(body.utf8.count > limit - 70_000 && body.utf8.count <= limit, "\(body.utf8.count)")
        let value = try JSONParser().parse(body)
        try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: body)))
            // A 1 MB payload never becomes the sample (at most 64 KiB are kept): the
            // automation page shows the largest one that may, sent after it.
            #expect(try await harness.store.sample(automationID: automation.id, teamID: harness.teamID) == nil)
            let sampleBody =
                shape == "nested arrays"
                ? Self.nestedArraysBody(maxBytes: AutomationSample.maxBytes)
                : Self.flatObjectBody(keys: 4_000, maxBytes: AutomationSample.maxBytes)
            #expect(sampleBody.utf8.count > AutomationSample.maxBytes - 2_000 && AutomationSample.keeps(size: sampleBody.utf8.count))
            _ = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: sampleBody)))
            // A running step whose input and output are the whole payload.
            let now = harness.clock.now
            let claimed = try #require(try await harness.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 300)))
            #expect(claimed.execution.id == id)
            #expect(
                try await harness.store.recordStep(
                    executionID: id, worker: "w",
                    record: StepRecord(
                        stepID: "echo", position: 0, type: "transform", status: .completed, startedAt: now, finishedAt: now,
                        attempts: 1, input: value, output: value, error: String(repeating: "e", count: 100_000)),
                    context: nil, stepsCompleted: 1))
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let e = id.lowercased
            let a = automation.id.lowercased
            for (what, path, fragment) in [
                ("execution page", "/app/executions/\(e)", false), ("execution live fragment", "/app/executions/\(e)", true),
                ("automation page", "/app/automations/\(a)", false),
            ] {
                let started = ContinuousClock.now
                let page = try await browser.get(path, headers: fragment ? [.consoleFragment: "1"] : [:])
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                let bytes = page.body.readableBytes
                print(
                    "console bounds: \(shape), \(what): \(bytes) bytes of HTML in \(String(format: "%.3f", seconds)) s (payload \(what == "automation page" ? sampleBody.utf8.count : body.utf8.count) bytes)"
                )
                #expect(page.status == .ok)
                #expect(bytes < Self.maxPageBytes, "\(what): \(bytes) bytes")
                #expect(seconds < Self.maxPageSeconds, "\(what): \(seconds) s")
                #expect(page.text.contains(" more bytes"), "\(what) has no truncation marker")
                if what == "execution page" {
                    #expect(page.text.contains("href=\"/app/executions/\(e)/payload.json\" download"))
                    #expect(page.text.contains("href=\"/app/executions/\(e)/raw\" download"))
                }
                if what == "automation page" {
                    #expect(page.text.contains("href=\"/app/automations/\(a)/sample.json\" download"))
                    // The field sent back is never a cut (unparseable) sample.
                    #expect(page.text.contains("id=\"sample_cut\""))
                }
            }

            // The whole values, byte for byte, as downloads.
            let payloadJSON = try await browser.get("/app/executions/\(e)/payload.json")
            let sampleJSON = try await browser.get("/app/automations/\(a)/sample.json")
            let executionJSON = try await browser.get("/app/executions/\(e)/raw")
            for response in [payloadJSON, sampleJSON, executionJSON] {
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy] == ConsoleSecurity.contentSecurityPolicy)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            // Compared into a Bool first: a failed #expect on two megabyte
            // arrays makes Swift Testing diff them, which never ends.
            let payloadWhole = Array(payloadJSON.body.readableBytesView) == Array(body.utf8)
            let sampleWhole = Array(sampleJSON.body.readableBytesView) == Array(sampleBody.utf8)
            #expect(payloadWhole, "payload.json: \(payloadJSON.body.readableBytes) of \(body.utf8.count) bytes")
            #expect(sampleWhole, "sample.json: \(sampleJSON.body.readableBytes) of \(sampleBody.utf8.count) bytes")
            // The payload sits three levels deeper here than as received, past the parser's default limit.
            let whole = try JSONParser(maxDepth: 128).parse(Array(executionJSON.body.readableBytesView))
            let triggerWhole = whole["trigger"] == value
            #expect(triggerWhole)
            let step = try #require(whole["steps"]?.arrayValue?.first)
            let stepWhole = step["input"] == value && step["output"] == value
            #expect(stepWhole)
            #expect(step["error"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func theRawRoutesNeedASessionAndTheTeam() async throws {
        let harness = try await TestHarness.make()
        let other = try await harness.otherTeam()
        let (theirs, _) = try await harness.automation(name: "Theirs", teamID: other.teamID)
        let (mine, _) = try await harness.automation(name: "Mine")
        try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(theirs.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: #"{"secret":1}"#)))
            let paths = [
                "/app/executions/\(id.lowercased)/payload.json", "/app/executions/\(id.lowercased)/raw",
                "/app/automations/\(theirs.id.lowercased)/sample.json",
            ]
            for path in paths {
                let anonymous = try await client.execute(uri: path, method: .get)
                #expect(anonymous.status == .seeOther && anonymous.location == "/app/sign-in", "\(path)")
            }
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            for path in paths + ["/app/automations/\(mine.id.lowercased)/sample.json"] {
                let response = try await browser.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(!response.text.contains("secret"), "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, "\(path)")
            }
        }
    }
}
