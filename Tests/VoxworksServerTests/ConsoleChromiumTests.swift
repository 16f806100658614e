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

/// The console's pages with a sender's hostile text, as a real browser
/// reads them (issue: `\u0600<meta http-equiv=refresh …\u0600>` as a
/// webhook key navigated the browser of whoever opened the automation's
/// page; a name broke out of the edit form's `value` attribute).
///
/// Each page is rendered by the real console over a real store, exactly as
/// a signed-in browser gets it (body and headers, the CSP among them), then
/// served from a listener on 127.0.0.1 and opened in headless Chromium. The
/// refresh tag points at a second listener, the bait, which must receive
/// nothing; the DOM Chromium ends with must be the page's own, with the
/// hostile text as text and no element or attribute made of it. Two
/// control pages show that the harness sees a navigation and an injected
/// attribute when there is one.
@Suite(.serialized) struct ConsoleChromiumTests {
    /// Attributes and elements the hostile text would make if it were not escaped,
    /// as Chromium serializes them (names in lower case, values in double quotes).
    static let injected = ["http-equiv=\"refresh\"", "onmouseover=\"", "onclick=\"", "onload=\"", "<svg"]

    static func injections(in dom: String) -> [String] {
        injected.filter { ConsoleHostileRenderingTests.containsBytes(dom.lowercased(), $0) }
    }

    /// The refresh tag's text as Chromium serializes a text node: proof that
    /// the page's own DOM was dumped and that the tag stayed text.
    static func shownAsText(_ bait: String) -> String {
        "\u{600}&lt;meta http-equiv=refresh content=0;url=\(bait) \u{600}&gt;"
    }

    /// `text` in a double-quoted attribute as Chromium serializes it; newer
    /// versions also escape `<` and `>` there, older ones did not. Scalar by
    /// scalar: `replacingOccurrences` compares grapheme clusters, and would
    /// miss a `"` clustered with the combining mark after it.
    static func serializedAttribute(_ text: String) -> [String] {
        func serialized(_ angles: Bool) -> String {
            var output = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": output.append(contentsOf: "&amp;".unicodeScalars)
                case "\"": output.append(contentsOf: "&quot;".unicodeScalars)
                case "\u{A0}": output.append(contentsOf: "&nbsp;".unicodeScalars)
                case "<" where angles: output.append(contentsOf: "&lt;".unicodeScalars)
                case ">" where angles: output.append(contentsOf: "&gt;".unicodeScalars)
                default: output.append(scalar)
                }
            }
            return String(output)
        }
        return [serialized(false), serialized(true)]
    }

    /// A captured response as the listener serves it again.
    static func answer(_ response: TestResponse) -> LocalReceiver.Answer {
        let skipped: Set<HTTPField.Name> = [.contentLength, .setCookie, .transferEncoding, .connection]
        let headers = response.headers.filter { !skipped.contains($0.name) }.map { ($0.name.rawName, $0.value) }
        return LocalReceiver.Answer(status: Int(response.status.code), headers: headers, body: Array(response.body.readableBytesView))
    }

    @Test(
        .enabled(
            if: HeadlessChromium.path != nil,
            "chromium is not installed (Debian: apt-get install chromium): the console's escaping was NOT checked in a browser"),
        .timeLimit(.minutes(15)))
    func hostileTextOnEveryConsolePageNeitherNavigatesNorInjectsInChromium() async throws {
        let bait = try await LocalReceiver.start()
        let listener = try await LocalReceiver.start()
        defer { bait.stop(); listener.stop() }
        let baitURL = bait.url("/x")
        let hostile = ConsoleHostileRenderingTests.hostile(url: baitURL)
        let name = "Lead " + hostile
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: name)
        // The probe's body: a sample whose key is the refresh tag; and the rest of the hostile text as a value.
        let payload = JSONValue.object([hostile: .int(1), "nested": .object([hostile: .array([.string(hostile)])])]).serialized

        let pages: [(String, TestResponse)] = try await harness.withRouter { client in
            let id = try expectAccepted(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: payload)))
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
            let e = id.lowercased
            let fragment: HTTPFields = [.consoleFragment: "1"]
            var pages = [
                ("automations list", try await browser.get("/app/automations")),
                ("automation page", try await browser.get("/app/automations/\(a)")),
                ("automation recent fragment", try await browser.get("/app/automations/\(a)", headers: fragment)),
                ("edit form", try await browser.get("/app/automations/\(a)/edit")),
                ("edit form refused", try await browser.post("/app/automations/\(a)", ["name": name, "definition": "{"])),
                ("executions list", try await browser.get("/app/executions")),
                ("executions fragment", try await browser.get("/app/executions", headers: fragment)),
                ("execution page (running)", try await browser.get("/app/executions/\(e)")),
                ("execution live fragment (running)", try await browser.get("/app/executions/\(e)", headers: fragment)),
            ]
            #expect(try await harness.store.finishTurn(executionID: id, worker: "w", outcome: .failed(hostile), now: now))
            pages.append(("execution page (failed)", try await browser.get("/app/executions/\(e)")))
            // The error column and the delete confirmation show the text too.
            pages.append(("executions list (error column)", try await browser.get("/app/executions")))
            pages.append(("delete confirmation", try await browser.get("/app/automations/\(a)/delete")))
            return pages
        }
        #expect(pages.count == 12)
        for (what, response) in pages {
            #expect(
                response.status == .ok || (what == "edit form refused" && response.status == .badRequest), "\(what): \(response.status)")
        }

        // The controls: a page that navigates to the bait, and one with injected attributes.
        let controlPage =
            "<!doctype html><title>control</title><p id=control>control</p><meta http-equiv=refresh content=0;url=\(bait.url("/control"))>"
        let injectedPage =
            "<!doctype html><title>injected</title><p id=injected>injected</p><input value=\"a\" onmouseover=\"void 0\" x=\"\"><svg onload=\"void 0\"></svg>"
        for (path, html) in [("/control", controlPage), ("/injected", injectedPage)] {
            listener.plan(
                path,
                answers: Array(
                    repeating: LocalReceiver.Answer(
                        status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8)), count: 3))
        }
        let control = try await HeadlessChromium.dumpDOM(listener.url("/control"))
        #expect(!control.timedOut, "control: Chromium did not finish in time")
        #expect(
            bait.requests(to: "/control").count >= 1, "control: the refresh did not reach the bait, so the harness cannot see a navigation")
        #expect(!control.dom.contains("id=\"control\""), "control: the page did not navigate")
        let injected = try await HeadlessChromium.dumpDOM(listener.url("/injected"))
        #expect(!injected.timedOut, "control: Chromium did not finish in time")
        #expect(injected.dom.contains("id=\"injected\""))
        #expect(Self.injections(in: injected.dom).count == 3, "control: \(Self.injections(in: injected.dom))")
        let controlHits = bait.received.value.count

        var seconds: [Double] = []
        for (index, (what, response)) in pages.enumerated() {
            let path = "/page\(index)"
            listener.plan(path, answers: Array(repeating: Self.answer(response), count: 3))
            let before = bait.received.value.count
            let run = try await HeadlessChromium.dumpDOM(listener.url(path))
            seconds.append(run.seconds)
            #expect(!run.timedOut, "\(what): Chromium did not finish in \(run.seconds) s")
            #expect(bait.received.value.count == before, "\(what): the page navigated to the bait")
            // Into a Bool first: a failed #expect would print the whole DOM.
            let shown = ConsoleHostileRenderingTests.containsBytes(run.dom, Self.shownAsText(baitURL))
            #expect(shown, "\(what): the hostile text is not shown as text (\(run.dom.utf8.count) bytes of DOM: \(run.dom.prefix(300)))")
            #expect(Self.injections(in: run.dom).isEmpty, "\(what): \(Self.injections(in: run.dom))")
            if what.hasPrefix("edit form") {
                // The whole name, in the value attribute: nothing broke out of it.
                let inField = Self.serializedAttribute(name).contains {
                    ConsoleHostileRenderingTests.containsBytes(run.dom, "name=\"name\" value=\"\($0)\"")
                }
                #expect(inField, "\(what): the name field does not hold the name exactly")
            }
        }
        #expect(seconds.count == pages.count)
        #expect(bait.received.value.count == controlHits, "the bait was reached by the console's pages: \(bait.received.value.map(\.path))")
        print(
            "console in Chromium: \(pages.count) pages, bait hits from them \(bait.received.value.count - controlHits) "
                + "(controls \(controlHits)), \(String(format: "%.1f", seconds.reduce(0, +))) s in Chromium")
    }

    /// The overview's charts are SVG drawn by the server: Chromium must parse
    /// them as SVG (not text) under the console's CSP, with a bar per hour
    /// that had executions, and the numbers beside them.
    @Test(
        .enabled(if: HeadlessChromium.path != nil, "chromium is not installed: the overview was NOT checked in a browser"),
        .timeLimit(.minutes(5)))
    func theOverviewChartsAreSVGInChromium() async throws {
        let listener = try await LocalReceiver.start()
        defer { listener.stop() }
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Lead")
        let page: TestResponse = try await harness.withRouter { client in
            for _ in 0..<3 {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
            }
            for outcome in [ExecutionOutcome.completed, .failed("boom")] {
                try await ConsoleOverviewTests.finishNext(harness, outcome)
            }
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            return try await browser.get("/app/overview")
        }
        #expect(page.status == .ok)
        #expect(page.headers[.contentSecurityPolicy] == ConsoleSecurity.contentSecurityPolicy)
        listener.plan("/overview", answers: Array(repeating: Self.answer(page), count: 3))
        let run = try await HeadlessChromium.dumpDOM(listener.url("/overview"))
        #expect(!run.timedOut, "Chromium did not finish in \(run.seconds) s")
        let dom = run.dom
        // Into Bools first: a failed #expect would print the whole DOM.
        let charts = dom.components(separatedBy: "<svg class=\"chart-svg\"").count - 1
        let accepted = dom.components(separatedBy: "<rect class=\"bar-accepted\"").count - 1
        let completed = dom.contains("<rect class=\"bar-completed\"")
        let failed = dom.contains("<rect class=\"bar-failed\"")
        let numbers = dom.contains("id=\"requests-accepted\">3<") && dom.contains("id=\"executions-completed\">1<")
        #expect(charts == 2, "\(charts) charts in \(dom.utf8.count) bytes of DOM")
        #expect(accepted == 1 && completed && failed)
        #expect(numbers)
        print("console in Chromium: the overview, \(charts) SVG charts, \(String(format: "%.1f", run.seconds)) s")
    }
}
