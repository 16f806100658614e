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

/// Every console page, rendered in process against a real store.
@Suite struct ConsolePagesTests {
    static let goodDefinition =
        #"{"trigger":{"type":"webhook"},"steps":[{"id":"map","type":"transform","mappings":[{"source":"trigger.name","target":"name"}]}]}"#

    @Test(arguments: StoreKind.available)
    func theAutomationsListShowsNameStateURLRecentExecutionsAndLastStatus(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (busy, _) = try await harness.automation(name: "Busy one")
        let (quiet, _) = try await harness.automation(name: "Quiet one", enabled: false)
        try await harness.withRouter { client in
            for n in 1...2 {
                _ = try expectAccepted(
                    try await client.execute(
                        uri: hookPath(busy.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: #"{"n":\#(n)}"#))
                )
            }
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/automations")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(">Busy one</a>"))
            #expect(html.contains(">Quiet one</a>"))
            #expect(html.contains("href=\"/app/automations/\(busy.id.lowercased)\""))
            #expect(html.contains("https://hooks.example.test/api/v1/hooks/\(busy.webhook.token)"))
            #expect(html.contains("data-copy-target=\"url-\(busy.id.lowercased)\""))
            #expect(html.contains("2 executions"))
            #expect(html.contains("0 executions"))
            #expect(html.contains("● Enabled") && html.contains("○ Disabled"))
            // The last status as a word, not a colour alone.
            #expect(html.contains("badge-pending") && html.contains("> Pending</span>"))
            #expect(html.contains("none yet"))
            _ = quiet
        }
    }

    @Test func theNewAutomationFormShowsValidationErrorsBesideTheirFields() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let form = try await browser.get("/app/automations/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("<textarea id=\"definition\" name=\"definition\""))
            #expect(form.text.contains("&quot;trigger&quot;"))

            let badStep = #"{"trigger":{"type":"webhook"},"steps":[{"id":"notify","type":"http_request"}]}"#
            let refused = try await browser.post("/app/automations", ["name": "  ", "definition": badStep])
            #expect(refused.status == .badRequest)
            let html = refused.text
            #expect(html.contains("<p class=\"field-error\" id=\"name_error\" role=\"alert\">"))
            #expect(html.contains("<p class=\"field-error\" id=\"definition_error\" role=\"alert\">"))
            // The validator's own message, naming the step and its field, escaped.
            #expect(html.contains("step &quot;notify&quot;: field &quot;url&quot;"))
            #expect(html.contains("aria-describedby=\"definition_hint definition_error\" aria-invalid=\"true\""))
            // What was typed is kept.
            #expect(html.contains("&quot;notify&quot;,&quot;type&quot;:&quot;http_request&quot;"))

            let notJSON = try await browser.post("/app/automations", ["name": "Lead", "definition": "{"])
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.text.contains("This is not valid JSON"))
            #expect(!notJSON.text.contains("id=\"name_error\""))
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func creatingEditingAndTogglingAnAutomation(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let created = try await browser.post("/app/automations", ["name": "Lead", "definition": Self.goodDefinition, "enabled": "on"])
            #expect(created.status == .seeOther)
            let automation = try #require(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).first)
            #expect(created.location == "/app/automations/\(automation.id.lowercased)?done=created")
            #expect(automation.enabled && !automation.webhook.signing)
            #expect(automation.definition == (try JSONParser().parse(Self.goodDefinition)))

            let page = try await browser.get(try #require(created.location))
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Lead</h1>"))
            #expect(page.text.contains("Automation created."))
            #expect(page.text.contains("https://hooks.example.test/api/v1/hooks/\(automation.webhook.token)"))
            #expect(page.text.contains("Send test webhook"))
            #expect(page.text.contains("curl -i -X POST &#39;https://hooks.example.test/api/v1/hooks/\(automation.webhook.token)&#39;"))
            #expect(!page.text.contains("X-Webhook-Signature: sha256=$SIGNATURE"))
            #expect(!page.text.contains("whsec_"))

            let edit = try await browser.get("/app/automations/\(automation.id.lowercased)/edit")
            #expect(edit.text.contains("value=\"Lead\""))
            let saved = try await browser.post(
                "/app/automations/\(automation.id.lowercased)", ["name": "Lead v2", "definition": Self.goodDefinition])
            #expect(saved.status == .seeOther)
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID)?.name == "Lead v2")
            let badEdit = try await browser.post(
                "/app/automations/\(automation.id.lowercased)", ["name": "Lead v3", "definition": #"{"trigger":{"type":"email"}}"#])
            #expect(badEdit.status == .badRequest)
            #expect(badEdit.text.contains("id=\"definition_error\""))
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID)?.name == "Lead v2")

            let disabled = try await browser.post("/app/automations/\(automation.id.lowercased)/enabled", ["enabled": "false"])
            #expect(disabled.location == "/app/automations/\(automation.id.lowercased)?done=disabled")
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID)?.enabled == false)
            #expect(try await browser.get(try #require(disabled.location)).text.contains("○ Disabled"))

            let rotated = try await browser.post("/app/automations/\(automation.id.lowercased)/rotate-token", [:])
            #expect(rotated.status == .seeOther)
            let newToken = try #require(try await harness.store.automation(id: automation.id, teamID: harness.teamID)?.webhook.token)
            #expect(newToken != automation.webhook.token)
            #expect(try await browser.get(try #require(rotated.location)).text.contains(newToken))
        }
    }

    @Test func aSigningSecretIsShownOnceWhenCreatedOrRotated() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let created = try await browser.post(
                "/app/automations", ["name": "Signed", "definition": Self.goodDefinition, "enabled": "on", "signing": "on"])
            #expect(created.status == .created)
            #expect(created.text.contains("shown only this once"))
            let secret = try #require(created.text.firstMatch(of: /whsec_[A-Za-z0-9+\/=]+/).map { String($0.output) })
            let automation = try #require(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).first)
            #expect(automation.webhook.signing)
            let again = try await browser.get("/app/automations/\(automation.id.lowercased)")
            #expect(!again.text.contains(secret))
            #expect(again.text.firstMatch(of: /whsec_[A-Za-z0-9+\/=]{20,}/) == nil)
            #expect(again.text.contains("Required (HMAC-SHA256)"))
            #expect(again.text.contains("X-Webhook-Signature: sha256=$SIGNATURE"))

            let rotated = try await browser.post("/app/automations/\(automation.id.lowercased)/rotate-secret", [:])
            #expect(rotated.status == .ok)
            let newSecret = try #require(rotated.text.firstMatch(of: /whsec_[A-Za-z0-9+\/=]+/).map { String($0.output) })
            #expect(newSecret != secret)
            #expect(rotated.text.contains("The previous one keeps working for 24 h."))

            let off = try await browser.post("/app/automations/\(automation.id.lowercased)/signing-off", [:])
            #expect(off.status == .seeOther)
            #expect(try await harness.store.automation(id: automation.id, teamID: harness.teamID)?.webhook.signing == false)
        }
    }

    @Test(arguments: StoreKind.available)
    func testWebhookGoesThroughTheRealSignedEndpointAndOpensTheExecution(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (automation, key) = try await harness.automation(name: "Signed", signing: true)
        #expect(key != nil)
        try await harness.withRouter { client in
            // A sender without the signature is refused: the console must sign.
            try expectError(
                try await client.execute(
                    uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")),
                .unauthorized)
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/automations/\(automation.id.lowercased)")
            #expect(page.text.contains("No sample yet"))
            let payload = #"{"contact":{"email":"ada@example.com","tags":["a"]},"first_name":"Ada"}"#
            let sent = try await browser.post("/app/automations/\(automation.id.lowercased)/test", ["payload": payload])
            #expect(sent.status == .seeOther)
            let location = try #require(sent.location)
            #expect(location.hasPrefix("/app/executions/") && location.hasSuffix("?done=test_sent"))
            let executionID = try #require(UUID(uuidString: String(location.dropFirst("/app/executions/".count).prefix(36))))
            let execution = try #require(try await harness.store.execution(id: executionID, teamID: harness.teamID))
            #expect(execution.body == Array(payload.utf8))
            #expect(execution.automationID == automation.id)
            #expect(execution.idempotencyKey?.hasPrefix("console-test-") == true)

            let detail = try await browser.get(location)
            #expect(detail.status == .ok)
            #expect(detail.text.contains("Test webhook accepted."))
            #expect(detail.text.contains("&quot;email&quot;: &quot;ada@example.com&quot;"))

            // The payload became the sample: its field paths are listed for copying.
            let after = try await browser.get("/app/automations/\(automation.id.lowercased)")
            for path in [
                "trigger.contact", "trigger.contact.email", "trigger.contact.tags", "trigger.contact.tags.0", "trigger.first_name",
            ] {
                #expect(after.text.contains("\">\(path)</code>"), "\(path)")
            }

            // Its recent executions, refreshed in place like the log.
            #expect(after.text.contains("<h2 id=\"recent-heading\">Recent executions</h2>"))
            #expect(after.text.contains("<a class=\"open-execution\" href=\"/app/executions/\(executionID.lowercased)\">"))
            let recent = try await browser.get(
                "/app/automations/\(automation.id.lowercased)", headers: [HTTPField.Name("X-Console-Fragment")!: "1"])
            #expect(!recent.text.contains("<html") && !recent.text.contains("Test webhook"))
            #expect(recent.header("X-Console-Fragment") == "1")
            #expect(after.text.contains("data-refresh-url=\"/app/automations/\(automation.id.lowercased)\""))
            #expect(recent.text.contains("href=\"/app/executions/\(executionID.lowercased)\""))

            let notObject = try await browser.post("/app/automations/\(automation.id.lowercased)/test", ["payload": "[1]"])
            #expect(notObject.status == .badRequest)
            #expect(notObject.text.contains("id=\"payload_error\""))
        }
    }

    @Test func aRefusalOfTheEndpointIsShownBesideThePayload() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Off", enabled: false)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let refused = try await browser.post("/app/automations/\(automation.id.lowercased)/test", ["payload": #"{"a":1}"#])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("The webhook endpoint answered 404: Webhook not found"))
            #expect(try await harness.executionCount() == 0)
        }
    }

    @Test func useAsSampleKeepsThePayloadAndListsItsFields() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "A")
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let kept = try await browser.post(
                "/app/automations/\(automation.id.lowercased)/sample", ["payload": #"{"lead":{"phone":"0412"}}"#])
            #expect(kept.status == .seeOther)
            let page = try await browser.get(try #require(kept.location))
            #expect(page.text.contains("Kept as the sample."))
            #expect(page.text.contains(">trigger.lead.phone</code>"))
            #expect(page.text.contains("<code>{{trigger.lead.phone}}</code>"))
            #expect(try await harness.executionCount() == 0)
        }
    }

    @Test func aPayloadOverTheSampleBoundIsRefusedWithTheReason() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "A")
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let large = "{\"a\":\"" + String(repeating: "x", count: AutomationSample.maxBytes) + "\"}"
            let refused = try await browser.post("/app/automations/\(automation.id.lowercased)/sample", ["payload": large])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("a sample can be at most 64 KiB"))
            #expect(try await harness.store.sample(automationID: automation.id, teamID: harness.teamID) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func theExecutionLogFiltersPagesAndRefreshesAFragment(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let (first, _) = try await harness.automation(name: "First")
        let (second, _) = try await harness.automation(name: "Second")
        for index in 0..<27 {
            try await harness.store.insertExecution(
                NewExecution(
                    id: .v7(), teamID: harness.teamID, automationID: index == 26 ? second.id : first.id, body: Array("{}".utf8),
                    receivedAt: .now()))
        }
        let newest = try #require(try await harness.store.executions(teamID: harness.teamID, query: ExecutionQuery(limit: 1)).first)
        _ = try await harness.store.cancelExecution(id: newest.id, teamID: harness.teamID, now: .now())
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/executions")
            #expect(page.status == .ok)
            #expect(page.text.contains("data-refresh=\"5000\""))
            #expect(page.text.matches(of: /class="open-execution"/).count == 25)
            // Newest first: the cancelled one (Second) leads.
            let firstRow = try #require(page.text.range(of: "<tbody>").map { String(page.text[$0.upperBound...].prefix(600)) })
            #expect(firstRow.contains("Cancelled") && firstRow.contains("Second"))
            #expect(page.text.contains("<option value=\"cancelled\">Cancelled</option>"))
            #expect(page.text.contains("<option value=\"dead_letter\">Dead Letter</option>"))
            let older = try #require(
                page.text.firstMatch(of: /href="(\/app\/executions\?cursor=[0-9a-f-]+)">Older/).map { String($0.output.1) })
            let second25 = try await browser.get(older)
            #expect(second25.text.matches(of: /class="open-execution"/).count == 2)
            #expect(second25.text.contains("← Newest"))

            let cancelled = try await browser.get("/app/executions?status=cancelled")
            #expect(cancelled.text.matches(of: /class="open-execution"/).count == 1)
            #expect(cancelled.text.contains("<option value=\"cancelled\" selected>"))
            let ofSecond = try await browser.get("/app/executions?automation_id=\(second.id.lowercased)")
            #expect(ofSecond.text.contains("<h1>Executions of Second</h1>"))
            #expect(ofSecond.text.matches(of: /class="open-execution"/).count == 1)
            let pending = try await browser.get("/app/executions?status=pending&automation_id=\(first.id.lowercased)")
            #expect(pending.text.matches(of: /class="open-execution"/).count == 25)
            #expect(pending.text.contains("status=pending&amp;automation_id=\(first.id.lowercased)&amp;cursor="))

            let fragment = try await browser.get("/app/executions?status=cancelled", headers: [HTTPField.Name("X-Console-Fragment")!: "1"])
            #expect(fragment.status == .ok)
            #expect(fragment.header("X-Console-Fragment") == "1")
            #expect(page.header("X-Console-Fragment") == nil)
            #expect(!fragment.text.contains("<html"))
            #expect(fragment.text.hasPrefix("<p class=\"muted small\">"))
            #expect(fragment.text.matches(of: /class="open-execution"/).count == 1)

            #expect(try await browser.get("/app/executions?status=sideways").status == .badRequest)
        }
    }

    @Test(arguments: StoreKind.available)
    func theExecutionPageExplainsAFailedStepAndReplaysIt(_ kind: StoreKind) async throws {
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
            var browser = ConsoleBrowser(client)
            try await browser.signIn(engine.base.apiKey)
            let page = try await browser.get("/app/executions/\(original.lowercased)")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("badge-failed\"><span aria-hidden=\"true\">✗</span> Failed</span>"))
            #expect(html.contains("<strong class=\"mono\">first</strong>"))
            #expect(html.contains("<strong class=\"mono\">second</strong>"))
            #expect(html.contains("<dd>1/2</dd>"))
            // The failed step: its error inline, its resolved input open.
            #expect(html.contains("answered 400"))
            #expect(html.contains("<details open><summary>Resolved input</summary>"))
            #expect(html.contains("&quot;n&quot;: 7"))
            // Each step's HTTP attempts as a timeline: the failed one open, with the receiver's answer escaped.
            #expect(html.contains("<details class=\"attempts\" open><summary>HTTP attempts (1)</summary>"))
            #expect(html.contains("<strong>answered 400</strong>"))
            #expect(
                html.contains("<pre class=\"json\">{&quot;ok&quot;:false,&quot;path&quot;:&quot;/flaky&quot;,&quot;count&quot;:1}</pre>"))
            #expect(
                html.contains("<dt>Content-Type</dt><dd class=\"mono\">application/json</dd>")
                    || html.contains("<dt>content-type</dt><dd class=\"mono\">application/json</dd>"))
            #expect(html.contains("id=\"replay-failed\""))
            #expect(!html.contains("id=\"cancel\""))
            #expect(!html.contains("data-refresh"))

            let replay = try await browser.post("/app/executions/\(original.lowercased)/replay", ["from": "failed_step"])
            #expect(replay.status == .seeOther)
            let location = try #require(replay.location)
            let replayID = try #require(UUID(uuidString: String(location.dropFirst("/app/executions/".count).prefix(36))))
            try await engine.drain()
            #expect(try await engine.execution(replayID).status == .completed)
            #expect(engine.receiver.requests(to: "/first").count == 1)
            let replayed = try await browser.get(location)
            #expect(replayed.text.contains("Replay started."))
            #expect(replayed.text.contains("href=\"/app/executions/\(original.lowercased)\""))
            #expect(replayed.text.contains("Completed</span>"))

            // From a completed execution, only "from start" exists; from the failed step is refused as a page.
            let refused = try await browser.post("/app/executions/\(replayID.lowercased)/replay", ["from": "failed_step"])
            #expect(refused.status == .conflict)
            #expect(refused.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(refused.text.contains("Only a failed or dead-lettered execution"))
        }
    }

    @Test func aPendingExecutionCanBeCancelledAndRefreshesItself() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "A")
        let id = UUID.v7()
        try await harness.store.insertExecution(
            NewExecution(id: id, teamID: harness.teamID, automationID: automation.id, body: Array(#"{"lead":7}"#.utf8), receivedAt: .now()))
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/executions/\(id.lowercased)")
            #expect(page.text.contains("data-refresh=\"3000\""))
            #expect(page.text.contains("id=\"cancel\""))
            #expect(page.text.contains("No step has run yet."))
            let fragment = try await browser.get("/app/executions/\(id.lowercased)", headers: [HTTPField.Name("X-Console-Fragment")!: "1"])
            #expect(fragment.header("X-Console-Final") == nil)
            #expect(!fragment.text.contains("<html"))
            // "Use payload as sample" on the execution's page keeps its payload.
            #expect(page.text.contains("name=\"execution_id\" value=\"\(id.lowercased)\""))
            let (other, _) = try await harness.automation(name: "Other")
            #expect(
                try await browser.post("/app/automations/\(other.id.lowercased)/sample", ["execution_id": id.lowercased]).status
                    == .notFound)
            let kept = try await browser.post("/app/automations/\(automation.id.lowercased)/sample", ["execution_id": id.lowercased])
            #expect(kept.status == .seeOther)
            #expect(try await harness.store.sample(automationID: automation.id, teamID: harness.teamID)?.body == Array(#"{"lead":7}"#.utf8))
            let cancelled = try await browser.post("/app/executions/\(id.lowercased)/cancel", [:])
            #expect(cancelled.status == .seeOther)
            #expect(try await harness.store.execution(id: id, teamID: harness.teamID)?.status == .cancelled)
            let after = try await browser.get("/app/executions/\(id.lowercased)", headers: [HTTPField.Name("X-Console-Fragment")!: "1"])
            #expect(after.header("X-Console-Final") == "1")
            #expect(after.text.contains("Cancelled</span>"))
        }
    }

    @Test(arguments: StoreKind.available)
    func anotherTeamsAutomationsAndExecutionsAreNotFound(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        let (theirs, _) = try await harness.automation(name: "Theirs", teamID: other.teamID)
        let theirExecution = UUID.v7()
        try await harness.store.insertExecution(
            NewExecution(
                id: theirExecution, teamID: other.teamID, automationID: theirs.id, body: Array("{}".utf8), receivedAt: .now()))
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let a = theirs.id.lowercased
            for path in [
                "/app/automations/\(a)", "/app/automations/\(a)/edit", "/app/executions/\(theirExecution.lowercased)",
                "/app/automations/not-a-uuid",
            ] {
                let response = try await browser.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.text.contains("<h1>Not found</h1>"), "\(path)")
                #expect(!response.text.contains("Theirs"))
            }
            for (path, fields) in [
                ("/app/automations/\(a)", ["name": "Mine", "definition": Self.goodDefinition]),
                ("/app/automations/\(a)/enabled", ["enabled": "false"]),
                ("/app/automations/\(a)/rotate-token", [:]),
                ("/app/automations/\(a)/rotate-secret", [:]),
                ("/app/automations/\(a)/test", ["payload": "{}"]),
                ("/app/automations/\(a)/sample", ["payload": "{}"]),
                ("/app/executions/\(theirExecution.lowercased)/replay", ["from": "start"]),
                ("/app/executions/\(theirExecution.lowercased)/cancel", [:]),
            ] {
                #expect(try await browser.post(path, fields).status == .notFound, "\(path)")
            }
            let list = try await browser.get("/app/automations")
            #expect(!list.text.contains("Theirs"))
            let log = try await browser.get("/app/executions")
            #expect(!log.text.contains(theirExecution.lowercased))
            let untouched = try #require(try await harness.store.automation(id: theirs.id, teamID: other.teamID))
            #expect(untouched.name == "Theirs" && untouched.enabled && untouched.webhook.token == theirs.webhook.token)
            #expect(try await harness.store.execution(id: theirExecution, teamID: other.teamID)?.status == .pending)
        }
    }

    @Test func userDataIsEscapedEverywhere() async throws {
        let harness = try await TestHarness.make()
        let evil = #"<script>alert("x")</script><img src=x onerror=alert(1)>"#
        let (automation, _) = try await harness.automation(name: evil)
        let id = UUID.v7()
        try await harness.store.insertExecution(
            NewExecution(
                id: id, teamID: harness.teamID, automationID: automation.id,
                body: Array(#"{"html":"</pre><script>alert(2)</script>"}"#.utf8),
                receivedAt: .now()))
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            for path in [
                "/app/automations", "/app/automations/\(automation.id.lowercased)", "/app/automations/\(automation.id.lowercased)/edit",
                "/app/executions", "/app/executions/\(id.lowercased)",
            ] {
                let html = try await browser.get(path).text
                #expect(!html.contains("<script>alert"), "\(path)")
                #expect(!html.contains("<img src=x"), "\(path)")
                #expect(html.contains("&lt;script&gt;alert("), "\(path)")
            }
        }
    }
}
