import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// What an operator and a team see of this node's circuits: `/metrics`
/// and the console's destinations page.
@Suite struct DestinationsViewTests {
    /// One circuit open (for `team`), one origin with a request in flight (another team's).
    static func circuits(team: UUID, other: UUID, clock: TestClock) -> (DestinationCircuits, DestinationCircuits.Pass?) {
        let circuits = DestinationCircuits(clock: { clock.now }, random: { 0 })
        for _ in 0..<5 {
            if case .admitted(let pass) = circuits.admit("http://down.example:8080/hook", team: team) { pass.finish(.down) }
        }
        guard case .admitted(let busy) = circuits.admit("https://busy.example/x", team: other) else { return (circuits, nil) }
        return (circuits, busy)
    }

    @Test func metricsCountOpenCircuitsAndRequestsInFlight() async throws {
        let harness = try await TestHarness.make { $0.metricsToken = "t" }
        let (circuits, busy) = Self.circuits(team: harness.teamID, other: UUID(), clock: harness.clock)
        #expect(busy != nil)
        try await harness.withRouter(circuits: circuits) { client in
            let samples = try await OperationsTests.scrape(client, token: "t")
            #expect(samples["voxworks_circuits_open"] == 1)
            #expect(samples[#"voxworks_circuits{state="open"}"#] == 1)
            #expect(samples[#"voxworks_circuits{state="closed"}"#] == 1)
            #expect(samples[#"voxworks_circuits{state="half_open"}"#] == 0)
            #expect(samples["voxworks_destination_requests_in_flight"] == 1)
        }
        busy?.finish(.up)
    }

    /// A team sees the destinations its own executions sent to, with state,
    /// failures, when the pause ends and what is in flight; never another team's.
    @Test func theConsoleListsTheTeamsDestinations() async throws {
        let harness = try await TestHarness.make()
        harness.clock.freeze()
        let openedAt = harness.clock.now
        let (circuits, busy) = Self.circuits(team: harness.teamID, other: UUID(), clock: harness.clock)
        #expect(busy != nil)
        // A host no URL would carry, straight into the table: the page escapes it.
        let hostile = DestinationOrigin(scheme: "http", host: "<b>x</b>", port: 1)
        if case .admitted(let pass) = circuits.admit(hostile, team: harness.teamID) { pass.finish(.down) }
        try await harness.withRouter(circuits: circuits) { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/destinations")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(#"<a href="/app/destinations" aria-current="page">Destinations</a>"#))
            #expect(html.contains(#"<td data-label="Destination" class="mono">http://down.example:8080</td>"#))
            #expect(html.contains("Open (paused)"))
            #expect(html.contains(#"<td data-label="Failures in a row">5</td>"#))
            #expect(html.contains(openedAt.adding(seconds: 30).rfc3339))
            #expect(!html.contains("busy.example"), "another team's destination is not shown")
            #expect(html.contains("http://&lt;b&gt;x&lt;/b&gt;:1"))
            #expect(!html.contains("<b>x</b>"))
            // No unescaped template value: every `{{…}}` went through the HTML escaping.
            #expect(!html.contains("{{"))
        }
        busy?.finish(.up)
    }

    @Test func theSettingsComeFromTheEnvironment() throws {
        let defaults = try ServerConfiguration.fromEnvironment([:]).engine.destinationSettings
        #expect(
            defaults == DestinationCircuits.Settings(failureThreshold: 5, cooldownSeconds: 30, maxCooldownSeconds: 600, maxInFlight: 32))
        let set = try ServerConfiguration.fromEnvironment([
            "VOXWORKS_CIRCUIT_FAILURES": "3", "VOXWORKS_CIRCUIT_COOLDOWN_SECONDS": "10",
            "VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS": "120", "VOXWORKS_DESTINATION_MAX_IN_FLIGHT": "4",
        ]).engine.destinationSettings
        #expect(set == DestinationCircuits.Settings(failureThreshold: 3, cooldownSeconds: 10, maxCooldownSeconds: 120, maxInFlight: 4))
        // A first cool-down past the default longest raises the longest with it.
        #expect(
            try ServerConfiguration.fromEnvironment(["VOXWORKS_CIRCUIT_COOLDOWN_SECONDS": "900"]).engine.destinationSettings
                .maxCooldownSeconds == 900)
        #expect(throws: ServerConfiguration.Failure.self) {
            try ServerConfiguration.fromEnvironment([
                "VOXWORKS_CIRCUIT_COOLDOWN_SECONDS": "60", "VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS": "30",
            ])
        }
        #expect(throws: ServerConfiguration.Failure.self) {
            try ServerConfiguration.fromEnvironment(["VOXWORKS_DESTINATION_MAX_IN_FLIGHT": "0"])
        }
        #expect(throws: ServerConfiguration.Failure.self) { try ServerConfiguration.fromEnvironment(["VOXWORKS_CIRCUIT_FAILURES": "many"]) }
    }

    @Test func theConsoleSaysWhenNothingIsPaused() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter(circuits: DestinationCircuits()) { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let page = try await browser.get("/app/destinations")
            #expect(page.status == .ok)
            #expect(page.text.contains("No destination has failed or is busy right now."))
        }
    }
}
