import Foundation
import Synchronization
import VoxworksCore

/// Where an `http_request` step sends: scheme, host and port. A circuit and
/// an in-flight count belong to each.
public struct DestinationOrigin: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    /// Lowercased, without the brackets of an IPv6 literal.
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Nil for what the client refuses anyway (not http or https, no host):
    /// such a request reaches no destination.
    public init?(url text: String) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(scheme: scheme, host: host, port: url.port ?? (scheme == "https" ? 443 : 80))
    }

    /// `http://host:port`, the port always written: what the step log and the console show.
    public var description: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Per-destination protection for `http_request`, in this node's memory
/// (each node keeps its own; nothing is shared through the store), kept
/// per team: a team whose requests fail at a shared receiver (a path that
/// answers 500, a slow endpoint) cannot pause or crowd out another team's
/// deliveries to it.
///
/// - a circuit per origin opens after `failureThreshold` consecutive
///   failures (no connection, a timeout, a 5xx). While open, requests are
///   not sent: the execution is deferred to the half-open time. After the
///   cool-down one request (the probe) goes through; its success closes the
///   circuit, its failure re-opens it for twice the cool-down, up to
///   `maxCooldownSeconds`. Closing resets the cool-down.
/// - at most `maxInFlight` requests to one origin at once from this node:
///   one slow receiver cannot hold every worker.
///
/// Answers below 500 (4xx included, 408 and 429 too) mean the receiver is
/// up: they reset the failure count. 429 asks to slow down, which the step's
/// own retry backoff does; the circuit is for receivers that are down.
public final class DestinationCircuits: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Consecutive failures that open a circuit (`VOXWORKS_CIRCUIT_FAILURES`).
        public var failureThreshold: Int
        /// The first cool-down (`VOXWORKS_CIRCUIT_COOLDOWN_SECONDS`).
        public var cooldownSeconds: Double
        /// The longest, after doublings (`VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS`).
        public var maxCooldownSeconds: Double
        /// Requests in flight to one origin (`VOXWORKS_DESTINATION_MAX_IN_FLIGHT`).
        public var maxInFlight: Int
        /// How long an execution turned away by the in-flight cap (or by a
        /// probe already under way) waits before it tries again.
        public var busyRetrySeconds: Double = 1

        public init(failureThreshold: Int = 5, cooldownSeconds: Double = 30, maxCooldownSeconds: Double = 600, maxInFlight: Int = 32) {
            self.failureThreshold = max(1, failureThreshold)
            self.cooldownSeconds = max(0.001, cooldownSeconds)
            self.maxCooldownSeconds = max(self.cooldownSeconds, maxCooldownSeconds)
            self.maxInFlight = max(1, maxInFlight)
        }
    }

    public enum State: String, Sendable, CaseIterable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    /// One origin as the console and `/metrics` show it.
    public struct Snapshot: Sendable, Equatable {
        public var origin: DestinationOrigin
        public var state: State
        public var consecutiveFailures: Int
        /// When an open circuit lets its probe through.
        public var openUntil: Timestamp?
        public var inFlight: Int
        /// The current (or next) cool-down.
        public var cooldownSeconds: Double
        /// The team whose executions sent to it (the console shows a team only its own).
        public var team: UUID?
    }

    /// Why a request was not sent, and when its execution should try again.
    public struct Deferral: Sendable, Equatable {
        public enum Cause: Sendable, Equatable {
            /// The circuit is open until the time given (the half-open time).
            case open(until: Timestamp)
            /// Half-open, and its one probe is under way.
            case probing
            /// `maxInFlight` requests are already under way.
            case busy(limit: Int)
        }

        public var origin: DestinationOrigin
        public var cause: Cause
        /// The due time: the half-open time or a short wait, plus jitter.
        public var runAt: Timestamp

        /// The step log's text.
        public var message: String {
            switch cause {
            case .open(let until): "destination \(origin) unavailable (circuit open until \(until.rfc3339))"
            case .probing: "destination \(origin) unavailable (circuit half-open, a probe request is under way)"
            case .busy(let limit): "destination \(origin) busy (\(limit) requests already in flight from this node)"
            }
        }
    }

    public enum Admission: Sendable {
        /// Send through the pass, which reports how it went.
        case admitted(Pass)
        case deferred(Deferral)
    }

    /// What a request's end tells about its destination.
    public enum Verdict: Sendable {
        /// The receiver answered below 500.
        case up
        /// No connection, a timeout, or a 5xx.
        case down
        /// Says nothing about the receiver (refused by policy, a bad URL, too large an answer).
        case neutral

        public static func of(status: Int) -> Verdict { status >= 500 ? .down : .up }

        public static func of(_ error: OutboundError) -> Verdict {
            switch error {
            case .refused, .invalidURL, .responseTooLarge: .neutral
            default: .down
            }
        }
    }

    /// Leave to send one request; reports its end to the circuit.
    public struct Pass: Sendable {
        let circuits: DestinationCircuits?
        fileprivate let key: Key?
        /// The circuit's generation at admission: the end of a request sent
        /// before the circuit last changed state does not count.
        let generation: Int
        public let isProbe: Bool

        /// Sends and reports; the in-flight slot is given back whatever happens.
        public func send(_ request: OutboundRequest, via client: any OutboundHTTPClient) async throws(OutboundError) -> OutboundResponse {
            do {
                let response = try await client.send(request)
                finish(.of(status: response.status))
                return response
            } catch {
                finish(.of(error))
                throw error
            }
        }

        public func finish(_ verdict: Verdict) {
            guard let circuits, let key else { return }
            circuits.finish(key, generation: generation, isProbe: isProbe, verdict: verdict)
        }
    }

    private enum Phase: Sendable {
        case closed
        case open(until: Timestamp)
        case halfOpen(probing: Bool)
    }

    private struct Circuit: Sendable {
        var phase: Phase = .closed
        var consecutiveFailures = 0
        var cooldownSeconds: Double
        var inFlight = 0
        var generation = 0

        /// Nothing worth keeping: a closed circuit with no failures and nothing in flight.
        var isIdle: Bool {
            if case .closed = phase { return consecutiveFailures == 0 && inFlight == 0 }
            return false
        }
    }

    /// A circuit's identity: one team's requests to one origin.
    fileprivate struct Key: Hashable, Sendable {
        var team: UUID?
        var origin: DestinationOrigin
    }

    /// Origins remembered at most before closed ones with nothing in flight
    /// are forgotten (their failure counts start again): URLs templated
    /// from payloads could otherwise name a new failing host per request.
    public static let maxOrigins = 10_000

    public let settings: Settings
    private let clock: @Sendable () -> Timestamp
    private let random: @Sendable () -> Double
    private let circuits = Mutex<[Key: Circuit]>([:])

    public init(
        settings: Settings = Settings(), clock: @escaping @Sendable () -> Timestamp = { .now() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.settings = settings
        self.clock = clock
        self.random = random
    }

    /// Whether a request to `url` may be sent now. A URL without an origin
    /// is admitted without a circuit (the client refuses it).
    public func admit(_ url: String, team: UUID?) -> Admission {
        guard let origin = DestinationOrigin(url: url) else {
            return .admitted(Pass(circuits: nil, key: nil, generation: 0, isProbe: false))
        }
        return admit(origin, team: team)
    }

    public func admit(_ origin: DestinationOrigin, team: UUID?) -> Admission {
        let now = clock()
        let settings = self.settings
        let random = self.random
        let key = Key(team: team, origin: origin)
        return circuits.withLock { circuits in
            if circuits[key] == nil, circuits.count >= Self.maxOrigins {
                circuits = circuits.filter { _, circuit in
                    if case .closed = circuit.phase { return circuit.inFlight > 0 }
                    return true
                }
            }
            var circuit = circuits[key] ?? Circuit(cooldownSeconds: settings.cooldownSeconds)
            defer {
                // Only kept while there is something to remember: templated
                // URLs cannot grow the table with one entry per request.
                circuits[key] = circuit.isIdle ? nil : circuit
            }
            // A short wait, between one and two `busyRetrySeconds`.
            var busyUntil: Timestamp { now.adding(seconds: settings.busyRetrySeconds * (1 + random())) }
            var probe = false
            switch circuit.phase {
            case .open(let until) where now < until:
                // Spread over a tenth of the cool-down (at most 5 s): a
                // thousand deferred executions do not all wake at once.
                let spread = min(circuit.cooldownSeconds / 10, 5)
                return .deferred(Deferral(origin: origin, cause: .open(until: until), runAt: until.adding(seconds: spread * random())))
            case .open, .halfOpen(probing: false):
                guard circuit.inFlight < settings.maxInFlight else {
                    return .deferred(Deferral(origin: origin, cause: .busy(limit: settings.maxInFlight), runAt: busyUntil))
                }
                circuit.phase = .halfOpen(probing: true)
                circuit.generation += 1
                probe = true
            case .halfOpen(probing: true):
                return .deferred(Deferral(origin: origin, cause: .probing, runAt: busyUntil))
            case .closed:
                guard circuit.inFlight < settings.maxInFlight else {
                    return .deferred(Deferral(origin: origin, cause: .busy(limit: settings.maxInFlight), runAt: busyUntil))
                }
            }
            circuit.inFlight += 1
            return .admitted(Pass(circuits: self, key: key, generation: circuit.generation, isProbe: probe))
        }
    }

    private func finish(_ key: Key, generation: Int, isProbe: Bool, verdict: Verdict) {
        let now = clock()
        let settings = self.settings
        circuits.withLock { circuits in
            guard var circuit = circuits[key] else { return }
            defer { circuits[key] = circuit.isIdle ? nil : circuit }
            circuit.inFlight = max(0, circuit.inFlight - 1)
            guard generation == circuit.generation else { return }
            switch (circuit.phase, verdict) {
            case (_, .neutral):
                // Nothing learnt; a probe that learnt nothing lets another through.
                if isProbe { circuit.phase = .halfOpen(probing: false) }
            case (.closed, .up):
                circuit.consecutiveFailures = 0
            case (.closed, .down):
                circuit.consecutiveFailures += 1
                if circuit.consecutiveFailures >= settings.failureThreshold {
                    circuit.phase = .open(until: now.adding(seconds: circuit.cooldownSeconds))
                    circuit.generation += 1
                }
            case (.halfOpen, .up):
                circuit.phase = .closed
                circuit.consecutiveFailures = 0
                circuit.cooldownSeconds = settings.cooldownSeconds
                circuit.generation += 1
            case (.halfOpen, .down):
                circuit.consecutiveFailures += 1
                circuit.cooldownSeconds = min(circuit.cooldownSeconds * 2, settings.maxCooldownSeconds)
                circuit.phase = .open(until: now.adding(seconds: circuit.cooldownSeconds))
                circuit.generation += 1
            case (.open, _):
                // Sent before the circuit opened: already counted out by the generation check.
                break
            }
        }
    }

    /// Every circuit with something to show, by origin.
    public func snapshot() -> [Snapshot] {
        let now = clock()
        return circuits.withLock { circuits in
            circuits.map { key, circuit in
                let (state, until): (State, Timestamp?) =
                    switch circuit.phase {
                    case .closed: (.closed, nil)
                    // An open circuit past its cool-down lets the next request through: half-open.
                    case .open(let until): now < until ? (.open, until) : (.halfOpen, nil)
                    case .halfOpen: (.halfOpen, nil)
                    }
                return Snapshot(
                    origin: key.origin, state: state, consecutiveFailures: circuit.consecutiveFailures, openUntil: until,
                    inFlight: circuit.inFlight, cooldownSeconds: circuit.cooldownSeconds, team: key.team)
            }
        }.sorted { $0.origin.description < $1.origin.description }
    }

    /// The state of one team's circuit for an origin (closed when unknown).
    public func snapshot(of origin: DestinationOrigin, team: UUID? = nil) -> Snapshot {
        snapshot().first { $0.origin == origin && $0.team == team }
            ?? Snapshot(
                origin: origin, state: .closed, consecutiveFailures: 0, openUntil: nil, inFlight: 0,
                cooldownSeconds: settings.cooldownSeconds, team: team)
    }
}
