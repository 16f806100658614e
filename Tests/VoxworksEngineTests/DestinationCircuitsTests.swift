import Foundation
import Synchronization
import Testing
import VoxworksCore
import VoxworksEngine

/// The per-destination circuit and in-flight cap, on an injected clock.
@Suite struct DestinationCircuitsTests {
    final class Clock: Sendable {
        private let time = Mutex(Timestamp(millis: 1_800_000_000_000))
        func advance(seconds: Double) { time.withLock { $0 = $0.adding(seconds: seconds) } }
        func now() -> Timestamp { time.withLock { $0 } }
    }

    /// A client that answers every request with one status, or fails it.
    struct FixedClient: OutboundHTTPClient {
        let result: Result<Int, OutboundError>
        func send(_ request: OutboundRequest) async throws(OutboundError) -> OutboundResponse {
            OutboundResponse(status: try result.get(), body: [])
        }
    }

    static let url = "http://receiver.example:8080/hook?token=secret"
    static let origin = DestinationOrigin(scheme: "http", host: "receiver.example", port: 8080)

    let clock = Clock()
    /// Jitter pinned to 0: deferrals land exactly on the half-open time.
    func circuits(_ settings: DestinationCircuits.Settings = .init()) -> DestinationCircuits {
        let clock = self.clock
        return DestinationCircuits(settings: settings, clock: { clock.now() }, random: { 0 })
    }

    /// Sends once through the circuit; nil when deferred.
    @discardableResult
    func send(_ circuits: DestinationCircuits, _ result: Result<Int, OutboundError>) async -> DestinationCircuits.Deferral? {
        switch circuits.admit(Self.url, team: nil) {
        case .deferred(let deferral): return deferral
        case .admitted(let pass):
            _ = try? await pass.send(
                OutboundRequest(method: "POST", url: Self.url, headers: [], body: nil, timeoutSeconds: 1), via: FixedClient(result: result))
            return nil
        }
    }

    func openUntil(_ deferral: DestinationCircuits.Deferral?) -> Timestamp? {
        if case .open(let until)? = deferral?.cause { return until }
        return nil
    }

    @Test func theOriginIsSchemeHostAndPort() {
        #expect(DestinationOrigin(url: "https://Example.COM/a?b=c")?.description == "https://example.com:443")
        #expect(DestinationOrigin(url: "http://127.0.0.1/")?.description == "http://127.0.0.1:80")
        #expect(DestinationOrigin(url: "http://[::1]:9000/x")?.description == "http://[::1]:9000")
        #expect(DestinationOrigin(url: "ftp://example.com/") == nil)
    }

    /// Five failures in a row open it; four do not. The cool-down is 30 s.
    @Test func opensAfterFiveConsecutiveFailures() async {
        let circuits = circuits()
        for _ in 0..<4 { #expect(await send(circuits, .failure(.connection("refused"))) == nil) }
        #expect(circuits.snapshot(of: Self.origin).state == .closed)
        #expect(circuits.snapshot(of: Self.origin).consecutiveFailures == 4)
        #expect(await send(circuits, .success(503)) == nil)
        let opened = clock.now()
        let deferral = await send(circuits, .success(200))
        #expect(openUntil(deferral) == opened.adding(seconds: 30))
        #expect(deferral?.runAt == opened.adding(seconds: 30))
        #expect(
            deferral?.message
                == "destination http://receiver.example:8080 unavailable (circuit open until \(opened.adding(seconds: 30).rfc3339))")
        #expect(circuits.snapshot(of: Self.origin).state == .open)
    }

    /// Circuits and caps are per team: one team's failures at a receiver
    /// others use too, or its requests filling the cap, leave another
    /// team's deliveries there alone.
    @Test func oneTeamsFailuresAndLoadDoNotPauseAnotherTeam() async {
        let circuits = circuits(.init(maxInFlight: 1))
        let (noisy, quiet) = (UUID(), UUID())
        for _ in 0..<5 {
            if case .admitted(let pass) = circuits.admit(Self.url, team: noisy) { pass.finish(.down) }
        }
        guard case .deferred = circuits.admit(Self.url, team: noisy) else {
            Issue.record("the noisy team's circuit should be open")
            return
        }
        #expect(circuits.snapshot(of: Self.origin, team: noisy).state == .open)
        // The quiet team's circuit is closed: its request goes, and fills its own cap of one.
        guard case .admitted(let quietPass) = circuits.admit(Self.url, team: quiet) else {
            Issue.record("the quiet team was paused by the noisy team's failures")
            return
        }
        #expect(circuits.snapshot(of: Self.origin, team: quiet).state == .closed)
        guard case .deferred(let busy) = circuits.admit(Self.url, team: quiet), case .busy = busy.cause else {
            Issue.record("the quiet team's second request should wait for its own cap")
            return
        }
        quietPass.finish(.up)
        guard case .admitted = circuits.admit(Self.url, team: quiet) else {
            Issue.record("a freed slot should admit the quiet team again")
            return
        }
    }

    /// A 4xx (and 408, 429) is a receiver that answers: it resets the count;
    /// a policy refusal says nothing about the receiver.
    @Test func answersBelow500ResetTheCount() async {
        let circuits = circuits()
        for status in [404, 429, 408] {
            for _ in 0..<4 { await send(circuits, .failure(.timeout)) }
            await send(circuits, .success(status))
            #expect(circuits.snapshot(of: Self.origin).consecutiveFailures == 0)
        }
        for _ in 0..<4 { await send(circuits, .failure(.timeout)) }
        await send(circuits, .failure(.refused("policy")))
        await send(circuits, .failure(.responseTooLarge(10)))
        #expect(circuits.snapshot(of: Self.origin).consecutiveFailures == 4)
        #expect(circuits.snapshot(of: Self.origin).state == .closed)
    }

    /// After the cool-down exactly one request goes through (the probe);
    /// others are turned away while it is under way; its success closes the circuit.
    @Test func halfOpenLetsOneProbeThroughAndItsSuccessCloses() async {
        let circuits = circuits()
        for _ in 0..<5 { await send(circuits, .failure(.connection("refused"))) }
        clock.advance(seconds: 29.999)
        #expect(openUntil(await send(circuits, .success(200))) != nil)
        clock.advance(seconds: 0.001)
        #expect(circuits.snapshot(of: Self.origin).state == .halfOpen)
        guard case .admitted(let probe) = circuits.admit(Self.url, team: nil) else {
            Issue.record("the probe was not admitted")
            return
        }
        #expect(probe.isProbe)
        // While the probe is under way, no second request goes through.
        for _ in 0..<3 {
            guard case .deferred(let other) = circuits.admit(Self.url, team: nil) else {
                Issue.record("a second request went through while the probe was under way")
                return
            }
            #expect(other.cause == .probing)
            #expect(other.runAt > clock.now())
        }
        probe.finish(.up)
        #expect(circuits.snapshot(of: Self.origin).state == .closed)
        #expect(await send(circuits, .success(200)) == nil)
    }

    /// Each failed probe re-opens it for twice as long, up to 10 minutes;
    /// after it closes, the next opening is 30 s again.
    @Test func failedProbesDoubleTheCooldownUpTo10Minutes() async {
        let circuits = circuits()
        for _ in 0..<5 { await send(circuits, .failure(.connection("refused"))) }
        var cooldowns: [Double] = []
        var seen = [30.0]
        for _ in 0..<7 {
            guard let until = circuits.snapshot(of: Self.origin).openUntil else {
                Issue.record("the circuit is not open")
                return
            }
            clock.advance(seconds: Double(until.millis - clock.now().millis) / 1000)
            #expect(await send(circuits, .success(502)) == nil)  // the probe, failing
            let next = circuits.snapshot(of: Self.origin)
            #expect(next.state == .open)
            cooldowns.append(next.cooldownSeconds)
            if let reopened = next.openUntil { seen.append(Double(reopened.millis - clock.now().millis) / 1000) }
        }
        #expect(cooldowns == [60, 120, 240, 480, 600, 600, 600])
        #expect(seen == [30, 60, 120, 240, 480, 600, 600, 600])
        // The next probe succeeds: closed, and the cool-down is back to 30 s.
        clock.advance(seconds: 600)
        #expect(await send(circuits, .success(200)) == nil)
        #expect(circuits.snapshot(of: Self.origin).state == .closed)
        for _ in 0..<5 { await send(circuits, .failure(.timeout)) }
        #expect(circuits.snapshot(of: Self.origin).openUntil == clock.now().adding(seconds: 30))
    }

    /// Deferred executions wake spread over a tenth of the cool-down, not at one millisecond.
    @Test func deferralsAreSpreadByJitter() async {
        let clock = self.clock
        let draws = Mutex([0.0, 0.5, 0.999])
        let circuits = DestinationCircuits(clock: { clock.now() }, random: { draws.withLock { $0.isEmpty ? 0 : $0.removeFirst() } })
        for _ in 0..<5 {
            guard case .admitted(let pass) = circuits.admit(Self.url, team: nil) else { Issue.record("not admitted"); return }
            pass.finish(.down)
        }
        let until = clock.now().adding(seconds: 30)
        var wakes: [Int64] = []
        for _ in 0..<3 {
            if case .deferred(let deferral) = circuits.admit(Self.url, team: nil) { wakes.append(deferral.runAt.millis - until.millis) }
        }
        #expect(wakes == [0, 1500, 2997])
    }

    /// With a cap of 2, a third request while two are under way is deferred
    /// (about a second), and admitted again once one of them ends.
    @Test func theInFlightCapDefersTheThirdRequest() async {
        let circuits = circuits(DestinationCircuits.Settings(maxInFlight: 2))
        guard case .admitted(let first) = circuits.admit(Self.url, team: nil),
            case .admitted(let second) = circuits.admit(Self.url, team: nil)
        else { Issue.record("the first two were not admitted"); return }
        #expect(circuits.snapshot(of: Self.origin).inFlight == 2)
        guard case .deferred(let third) = circuits.admit(Self.url, team: nil) else {
            Issue.record("the third request was admitted")
            return
        }
        #expect(third.cause == .busy(limit: 2))
        #expect(third.runAt == clock.now().adding(seconds: 1))
        #expect(third.message == "destination http://receiver.example:8080 busy (2 requests already in flight from this node)")
        // Another origin is not affected.
        guard case .admitted(let elsewhere) = circuits.admit("http://other.example/", team: nil) else {
            Issue.record("another destination was capped")
            return
        }
        elsewhere.finish(.up)
        first.finish(.up)
        guard case .admitted(let fourth) = circuits.admit(Self.url, team: nil) else {
            Issue.record("a slot freed but the request was deferred")
            return
        }
        second.finish(.up)
        fourth.finish(.up)
        // Nothing to remember: the table forgets an idle, healthy origin.
        #expect(circuits.snapshot().isEmpty)
    }

    /// Failing hosts named by templated URLs do not grow the table without
    /// bound: past `maxOrigins`, closed origins are forgotten; open ones stay.
    @Test func theTableOfOriginsIsBounded() async {
        let circuits = circuits()
        for _ in 0..<5 { await send(circuits, .failure(.timeout)) }
        for index in 0..<DestinationCircuits.maxOrigins {
            if case .admitted(let pass) = circuits.admit("http://host-\(index).example/", team: nil) { pass.finish(.down) }
        }
        let remembered = circuits.snapshot()
        #expect(remembered.count <= DestinationCircuits.maxOrigins)
        #expect(remembered.count < 10, "the closed ones were forgotten when the table filled")
        #expect(circuits.snapshot(of: Self.origin).state == .open)
    }

    /// A request sent before the circuit opened, ending after, counts for nothing.
    @Test func aStaleRequestsEndDoesNotCount() async {
        let circuits = circuits()
        guard case .admitted(let stale) = circuits.admit(Self.url, team: nil) else { Issue.record("not admitted"); return }
        for _ in 0..<5 { await send(circuits, .failure(.connection("refused"))) }
        stale.finish(.up)
        #expect(circuits.snapshot(of: Self.origin).state == .open)
        #expect(circuits.snapshot(of: Self.origin).inFlight == 0)
    }
}
