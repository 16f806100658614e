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

/// The console's overview, the execution log's error column, absolute times
/// and filters, deleting an automation, the capped field paths, and `GET /`.
@Suite struct ConsoleOverviewTests {
    /// Claims the next pending execution and ends its turn with `outcome` at `now`; its id.
    @discardableResult
    static func finishNext(_ harness: TestHarness, _ outcome: ExecutionOutcome) async throws -> UUID {
        let now = harness.clock.now
        let claimed = try #require(try await harness.store.claimExecution(worker: "w", now: now, leaseUntil: now.adding(seconds: 60)))
        #expect(try await harness.store.finishTurn(executionID: claimed.execution.id, worker: "w", outcome: outcome, now: now))
        return claimed.execution.id
    }

    static func send(_ client: any TestClientProtocol, _ token: String, key: String? = nil) async throws -> UUID {
        try expectAccepted(
            try await client.execute(
                uri: hookPath(token), method: .post, headers: jsonHeaders(key.map { ["Idempotency-Key": $0] } ?? [:]),
                body: ByteBuffer(string: #"{"n":1}"#)))
    }

    @Test(arguments: StoreKind.available)
    func theOverviewIsTheLandingPageAndCountsTheLast24Hours(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation(name: "Lead")
        let other = try await harness.otherTeam()
        let (elsewhere, _) = try await harness.automation(name: "Theirs", teamID: other.teamID)
        try await harness.withRouter { client in
            for _ in 0..<4 { _ = try await Self.send(client, automation.webhook.token) }
            for outcome in [ExecutionOutcome.completed, .completed, .failed("boom"), .deadLetter("gone")] {
                try await Self.finishNext(harness, outcome)
            }
            // Two refused requests (not JSON): only the request log knows them.
            for _ in 0..<2 {
                let refused = try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{"))
                #expect(refused.status == .badRequest)
            }
            // Another team's execution counts on its own overview only.
            _ = try await Self.send(client, elsewhere.webhook.token)
            try await Self.finishNext(harness, .completed)
            var browser = ConsoleBrowser(client)
            let signIn = try await browser.signIn(harness.apiKey)
            #expect(signIn.location == "/app/overview")
            #expect(try await browser.get("/app").location == "/app/overview")
            // The request log is written in the background: wait (bounded) for its 6 records.
            var page = try await browser.get("/app/overview")
            for _ in 0..<100 where !page.text.contains("id=\"requests-received\">6<") {
                try await Task.sleep(for: .milliseconds(100))
                page = try await browser.get("/app/overview")
            }
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy] == ConsoleSecurity.contentSecurityPolicy)
            let html = page.text
            #expect(html.contains("<a href=\"/app/overview\" aria-current=\"page\">Overview</a>"))
            // The team's own numbers: 4 accepted, 2 completed, 1 failed, 1 dead-lettered.
            #expect(html.contains("id=\"requests-accepted\">4<"))
            #expect(html.contains("id=\"requests-received\">6<"))
            #expect(html.contains("id=\"requests-refused\">2<"))
            #expect(html.contains("id=\"requests-coverage\">Received and refused come from the request log"))
            #expect(html.contains("id=\"executions-received\">4<"))
            #expect(html.contains("id=\"executions-completed\">2<"))
            #expect(html.contains("id=\"executions-failed\"><a href=\"/app/executions?status=failed&amp;from="))
            #expect(html.contains("\">1</a></dd></div>\n<div><dt>Dead-lettered</dt>"))
            #expect(html.contains("id=\"executions-dead-lettered\"><a href=\"/app/executions?status=dead_letter&amp;from="))
            #expect(!html.contains("id=\"duration-p50\">—<"), "a p50 is shown once executions finished")
            // The charts: server-side SVG with a bar per non-empty hour, styled by class only (the CSP forbids inline style).
            #expect(html.components(separatedBy: "<svg class=\"chart-svg\"").count - 1 == 2)
            #expect(html.contains("<rect class=\"bar-accepted\""))
            #expect(html.contains("UTC: 4 accepted</title>"))
            #expect(html.contains("<rect class=\"bar-completed\""))
            #expect(!html.contains("style="))
            #expect(!html.contains("<script>") && !html.contains("<style"))
            // The window's ends as absolute times.
            #expect(html.contains(" UTC</time> to <time datetime="))
        }
    }

    @Test func theChartScalesStackedBarsToTheHighestHour() {
        let hours = (0..<3).map { Timestamp(millis: Int64($0) * 3_600_000) }
        let chart = ConsoleChart.stacked(
            [
                ConsoleChart.Series(css: "completed", label: "completed", values: [4, 0, 1]),
                ConsoleChart.Series(css: "failed", label: "failed", values: [0, 0, 1]),
            ], hours: hours, title: "t")
        let segments = chart["segments"] as? [[String: Any]] ?? []
        #expect(segments.count == 3)
        #expect(chart["top"] as? Int == 4)
        // The highest hour fills the plot; hour 2's two segments stack to half of it.
        #expect(segments.first?["height"] as? Int == ConsoleChart.plotHeight)
        #expect(segments.first?["y"] as? Int == 0)
        let last = segments.dropFirst().map { ($0["y"] as? Int ?? -1, $0["height"] as? Int ?? -1) }
        #expect(last.count == 2 && last[0] == (75, 25) && last[1] == (50, 25))
        #expect(segments.first?["label"] as? String == "00:00–01:00 UTC: 4 completed")
    }

    @Test func rootSendsBrowsersToTheConsoleAndAnswersAPIClientsInJSON() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
            let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            for accept in [chrome, firefox, "text/html"] {
                let response = try await client.execute(uri: "/", method: .get, headers: [.accept: accept])
                #expect(response.status == .found, "\(accept)")
                #expect(response.location == "/app")
            }
            for accept in [nil, "*/*", "application/json", "application/json, text/html;q=0.5", "text/html;q=0"] as [String?] {
                var headers = HTTPFields()
                if let accept { headers[.accept] = accept }
                let response = try await client.execute(uri: "/", method: .get, headers: headers)
                try expectError(response, .notFound)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func theExecutionLogShowsErrorsAbsoluteTimesAndFiltersOnTheServer(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (lead, _) = try await harness.automation(name: "Lead")
        let (other, _) = try await harness.automation(name: "Other")
        try await harness.withRouter { client in
            let keyed = try await Self.send(client, lead.webhook.token, key: "form-1001")
            let longError = "receiver answered 503: " + String(repeating: "x", count: 300) + "\nsecond line"
            #expect(try await Self.finishNext(harness, .failed(longError)) == keyed)
            let plain = try await Self.send(client, lead.webhook.token)
            let elsewhere = try await Self.send(client, other.webhook.token, key: "form-1001")
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)

            let all = try await browser.get("/app/executions")
            #expect(all.status == .ok)
            let html = all.text
            #expect(html.contains("<th scope=\"col\">Error</th>"))
            let shown = "✗ " + String(longError.prefix(ConsoleFormat.maxListedErrorCharacters)) + "…</span>"
            #expect(html.contains(shown))
            #expect(!html.contains("second line"))
            let row = try #require(try await harness.store.execution(id: keyed, teamID: harness.teamID))
            let absolute = ConsoleFormat.absolute(row.receivedAt)
            #expect(absolute.hasSuffix(" UTC") && absolute.count == 23)
            #expect(html.contains("title=\"\(absolute)\">"))
            #expect(html.contains("<span class=\"abs\">\(absolute)</span>"))
            #expect(html.contains("id=\"idempotency_key\" name=\"idempotency_key\""))

            func ids(_ page: TestResponse) -> Set<String> {
                Set([keyed, plain, elsewhere].map(\.lowercased).filter { page.text.contains("/app/executions/\($0)\"") })
            }
            #expect(ids(all) == Set([keyed, plain, elsewhere].map(\.lowercased)))
            let byKey = try await browser.get("/app/executions?idempotency_key=form-1001")
            #expect(ids(byKey) == Set([keyed, elsewhere].map(\.lowercased)))
            #expect(byKey.text.contains("value=\"form-1001\""))
            let byKeyAndAutomation = try await browser.get(
                "/app/executions?idempotency_key=form-1001&automation_id=\(lead.id.lowercased)")
            #expect(ids(byKeyAndAutomation) == [keyed.lowercased])
            let failed = try await browser.get("/app/executions?status=failed")
            #expect(ids(failed) == [keyed.lowercased])
            let today = String(harness.clock.now.rfc3339.prefix(10))
            let yesterday = String(harness.clock.now.adding(seconds: -86_400).rfc3339.prefix(10))
            let tomorrow = String(harness.clock.now.adding(seconds: 86_400).rfc3339.prefix(10))
            #expect(ids(try await browser.get("/app/executions?from=\(today)&to=\(today)")).count == 3)
            #expect(ids(try await browser.get("/app/executions?to=\(yesterday)")).isEmpty)
            #expect(ids(try await browser.get("/app/executions?from=\(tomorrow)")).isEmpty)
            let range = try await browser.get("/app/executions?from=\(yesterday)&to=\(today)")
            #expect(range.text.contains("id=\"from\" name=\"from\" type=\"date\" value=\"\(yesterday)\""))
            // A date that does not parse, or a range that ends before it starts, is a 400 page naming the filter.
            let bad = try await browser.get("/app/executions?from=yesterday")
            #expect(bad.status == .badRequest && bad.text.contains("“from” must be a day"))
            #expect(try await browser.get("/app/executions?from=\(today)&to=\(yesterday)").status == .badRequest)
            let long = String(repeating: "k", count: 256)
            #expect(try await browser.get("/app/executions?idempotency_key=\(long)").status == .badRequest)
        }
    }

    @Test func theOlderLinkKeepsEveryFilter() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Busy")
        let route = try #require(
            try await harness.store.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: harness.clock.now))
        let now = harness.clock.now
        let requests = (0..<(ConsoleController.logPageSize + 1)).map { n in
            IngestRequest(
                executionID: .v7(now: now), route: route, body: Array("{}".utf8), contentType: "application/json",
                idempotencyKey: "k-\(n)", fingerprint: IdempotencyKey.fingerprint(of: Array("{}".utf8)), sourceAddress: "127.0.0.1",
                receivedAt: now, backlogLimit: 100_000, idempotencyTTL: 86_400)
        }
        _ = try await harness.store.commitIngest(requests)
        let today = String(now.rfc3339.prefix(10))
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get(
                "/app/executions?status=pending&automation_id=\(automation.id.lowercased)&from=\(today)&to=\(today)")
            #expect(page.status == .ok)
            let rows = page.text.components(separatedBy: "class=\"open-execution\"").count - 1
            #expect(rows == ConsoleController.logPageSize)
            let older =
                "/app/executions?status=pending&amp;automation_id=\(automation.id.lowercased)&amp;from=\(today)&amp;to=\(today)&amp;cursor="
            #expect(page.text.contains("<a href=\"\(older)"))
            // The next page holds the one left.
            let start = try #require(page.text.range(of: "<a href=\"\(older)"))
            let cursor = String(page.text[start.upperBound...].prefix(36))
            let next = try await browser.get(
                "/app/executions?status=pending&automation_id=\(automation.id.lowercased)&from=\(today)&to=\(today)&cursor=\(cursor)")
            #expect(next.text.components(separatedBy: "class=\"open-execution\"").count - 1 == 1)
        }
    }

    @Test func thePagerKeepsTheFiltersPercentEncoded() throws {
        let filters = try ExecutionLogFilters(from: "2026-12-06", to: "2026-12-07", idempotencyKey: "a&b=c d/é")
        #expect(filters.queryItems == ["from=2026-12-06", "to=2026-12-07", "idempotency_key=a%26b%3Dc%20d%2F%C3%A9"])
        var query = ExecutionQuery()
        filters.apply(to: &query)
        #expect(query.createdAfter == Timestamp(rfc3339: "2026-12-06T00:00:00Z"))
        // `to` as a day includes that whole day.
        #expect(query.createdBefore == Timestamp(rfc3339: "2026-12-08T00:00:00Z"))
        #expect(query.idempotencyKey == "a&b=c d/é")
        let exact = try ExecutionLogFilters(from: "2026-12-06T06:30:00Z", to: nil, idempotencyKey: nil)
        #expect(exact.receivedFrom == Timestamp(rfc3339: "2026-12-06T06:30:00Z") && exact.receivedBefore == nil)
    }

    @Test(arguments: StoreKind.available)
    func deletingAnAutomationAsksFirstAndNeedsTheCSRFToken(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, _) = try await harness.automation(name: "Old form")
        let other = try await harness.otherTeam()
        let (theirs, _) = try await harness.automation(name: "Theirs", teamID: other.teamID)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let id = automation.id.lowercased
            let page = try await browser.get("/app/automations/\(id)")
            #expect(page.text.contains("href=\"/app/automations/\(id)/delete\" id=\"delete-automation\""))
            let confirm = try await browser.get("/app/automations/\(id)/delete")
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("<h1>Delete Old form?</h1>"))
            #expect(confirm.text.contains("<form method=\"post\" action=\"/app/automations/\(id)/delete\""))
            #expect(confirm.text.contains("name=\"csrf\" value=\"\(browser.csrf)\""))
            // Nothing happens on the GET, nor on a post without the token or from another site.
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID) != nil)
            #expect(try await browser.post("/app/automations/\(id)/delete", [:], addCSRF: false).status == .forbidden)
            #expect(try await browser.post("/app/automations/\(id)/delete", ["csrf": "wrong"]).status == .forbidden)
            #expect(
                try await browser.post("/app/automations/\(id)/delete", [:], headers: [.origin: "https://evil.example"]).status
                    == .forbidden)
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID) != nil)
            // Another team's automation is not found, and stays.
            #expect(try await browser.get("/app/automations/\(theirs.id.lowercased)/delete").status == .notFound)
            #expect(try await browser.post("/app/automations/\(theirs.id.lowercased)/delete", [:]).status == .notFound)
            #expect(try await harness.store.automation(id: theirs.id, teamID: other.teamID) != nil)

            let deleted = try await browser.post("/app/automations/\(id)/delete", [:])
            #expect(deleted.status == .seeOther)
            #expect(deleted.location == "/app/automations?done=deleted")
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID) == nil)
            let list = try await browser.get("/app/automations?done=deleted")
            #expect(list.text.contains("Automation deleted") && !list.text.contains(">Old form</a>"))
            // Its webhook is gone with it.
            let hook = try await client.execute(
                uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            #expect(hook.status == .notFound)
            #expect(try await browser.post("/app/automations/\(id)/delete", [:]).status == .notFound)
        }
    }

    /// Issue: a 4,500-field sample rendered 4,503 copy buttons (1.7 MB).
    @Test func aLargeSampleListsAtMost200FieldPathsAndSaysHowManyAreHidden() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Wide")
        let keys = (0..<4500).map { String(format: "f%04d", $0) }
        let body = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        #expect(body.utf8.count <= AutomationSample.maxBytes)
        #expect(
            try await harness.store.saveSample(
                automationID: automation.id, teamID: harness.teamID, body: Array(body.utf8), receivedAt: .now()))
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let id = automation.id.lowercased
            let page = try await browser.get("/app/automations/\(id)")
            #expect(page.status == .ok)
            let html = page.text
            let buttons = html.components(separatedBy: "data-copy-target=\"path-").count - 1
            print("console: a 4,500-field sample: \(html.utf8.count) bytes, \(buttons) field copy buttons")
            #expect(buttons == ConsoleController.maxFields)
            #expect(html.utf8.count < 150_000, "\(html.utf8.count) bytes")
            #expect(html.contains("Showing 200 of the sample&#39;s 4500 field paths; 4300 are hidden."))
            #expect(html.contains("<input id=\"fields-filter\" name=\"fields\" value=\"\""))

            // The filter runs on the server, ignoring case: f4400–f4499 are 100 paths, all shown.
            let filtered = try await browser.get("/app/automations/\(id)?fields=F44")
            let filteredButtons = filtered.text.components(separatedBy: "data-copy-target=\"path-").count - 1
            #expect(filteredButtons == 100, "\(filteredButtons)")
            #expect(filtered.text.contains("100 of the sample&#39;s 4500 field paths contain “F44”; 100 shown."))
            #expect(filtered.text.contains(">trigger.f4499</code>") && !filtered.text.contains(">trigger.f4500</code>"))
            let wide = try await browser.get("/app/automations/\(id)?fields=f")
            #expect(wide.text.contains("4500 of the sample&#39;s 4500 field paths contain “f”; 200 shown. 4300 more are hidden"))
            let none = try await browser.get("/app/automations/\(id)?fields=%3Cnope%3E")
            #expect(none.text.contains("No field path contains that text."))
            #expect(none.text.contains("value=\"&lt;nope&gt;\"") && !none.text.contains("<nope>"))
        }
    }
}
