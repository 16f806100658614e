import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

@testable import VoxworksServer

/// "Replay all N matching" on the console's execution log, and the job's
/// progress page with its live fragment.
@Suite struct ConsoleBulkReplayTests {
    @Test func theLogOffersToReplayAllMatchingAndTheJobShowsItsProgress() async throws {
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation()
        for _ in 0..<2 {
            _ = try await BulkReplayAPITests.finished(harness, automation: automation.id, outcome: .deadLetter("receiver down"))
        }
        _ = try await BulkReplayAPITests.finished(harness, automation: automation.id, outcome: .completed)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            // No status filter: failed and dead-lettered ones, from their failed step.
            let log = try await browser.get("/app/executions")
            #expect(log.status == .ok)
            #expect(log.text.contains("Replay all 2 matching"))
            #expect(log.text.contains("data-confirm=\"Replay all 2 matching executions (each from its failed step)?\""))
            // Filtered on running or completed work: nothing to offer (the API replays completed ones).
            #expect(!(try await browser.get("/app/executions?status=pending")).text.contains("Replay all"))
            #expect(!(try await browser.get("/app/executions?status=completed")).text.contains("Replay all"))
            #expect((try await browser.get("/app/executions?status=dead_letter")).text.contains("Replay all 2 matching"))
            // The log's other filters narrow the offer too: a job cannot select by
            // idempotency key, and a date range the executions fall outside matches none.
            #expect(!(try await browser.get("/app/executions?idempotency_key=k-1")).text.contains("Replay all"))
            #expect(!(try await browser.get("/app/executions?from=2999-01-01")).text.contains("Replay all"))
            #expect((try await browser.get("/app/executions?from=2000-01-01")).text.contains("Replay all 2 matching"))

            let fields = ["bulk_key", "statuses", "automation_id", "created_after", "created_before", "from"]
            var form: [String: String] = [:]
            for name in fields {
                let value = ConsoleBrowser.hiddenField(name, in: log.text)
                #expect(value != nil, "no hidden field \(name)")
                form[name] = value ?? ""
            }
            #expect(form["statuses"] == "failed,dead_letter" && form["from"] == "failed_step")
            let started = try await browser.post("/app/executions/bulk-replay", form)
            #expect(started.status == .seeOther)
            let location = try #require(started.location)
            #expect(location.hasPrefix("/app/bulk/"))
            // A double submit (same form, same key) opens the same job.
            #expect(try await browser.post("/app/executions/bulk-replay", form).location == location)

            let page = try await browser.get(location)
            #expect(page.status == .ok)
            #expect(page.text.contains("<progress max=\"2\""))
            let fragment = try await browser.get(location, headers: [.consoleFragment: "1"])
            #expect(fragment.headers[.consoleFragment] == "1")
            #expect(fragment.text.contains("of 2") && !fragment.text.contains("<html"))
            // The job ends (worked by the application's runner, or this test's).
            let id = try #require(UUID(uuidString: String(location.dropFirst("/app/bulk/".count))))
            let job = try await BulkReplayAPITests.finish(id, harness: harness)
            #expect(job.status == .completed && job.done == 2)
            let ended = try await browser.get(location, headers: [.consoleFragment: "1"])
            #expect(ended.headers[.consoleFinal] == "1")
            #expect(ended.text.contains("2 of 2"))
        }
    }
}
