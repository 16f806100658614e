import Foundation
import Logging
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksRuntime

/// Drives the engine one turn at a time, with the test's clock, so that
/// retries, backoff, waits and restarts can be checked without sleeping.
public struct EngineDriver: Sendable {
    /// The store, its team and the clock.
    public let base: StoreFixture
    public let store: any Store
    public let receiver: LocalReceiver
    public let configuration: EngineConfiguration
    /// The node's circuits, kept across turns as a running node keeps them
    /// (jitter pinned to 0: a deferral is due exactly at the half-open time).
    public let circuits: DestinationCircuits

    public var clock: TestClock { base.clock }

    public static func make(
        _ kind: StoreKind = .sqlite, base: StoreFixture? = nil, receiver: LocalReceiver? = nil,
        configure: (inout EngineConfiguration) -> Void = { _ in }
    ) async throws -> EngineDriver {
        let base = if let base { base } else { try await StoreFixture.make(kind) }
        var configuration = EngineConfiguration(workers: 2)
        configuration.outboundAllow = ["127.0.0.1"]
        configuration.callSimulatorSeconds = 0
        configure(&configuration)
        let receiver = if let receiver { receiver } else { try await LocalReceiver.start() }
        let clock = base.clock
        let circuits = DestinationCircuits(settings: configuration.destinationSettings, clock: { clock.now }, random: { 0 })
        return EngineDriver(base: base, store: base.store, receiver: receiver, configuration: configuration, circuits: circuits)
    }

    /// The same database, opened afresh: what a restarted node sees.
    public func restarted() async throws -> EngineDriver {
        try await EngineDriver.make(base: try await base.reopened(), receiver: receiver) { $0 = configuration }
    }

    public var logger: Logger { Logger(label: "engine-test") }

    public var completion: CallCompletion {
        let clock = self.clock
        return CallCompletion(store: store, workSignal: WorkSignal(), clock: { clock.now }, logger: logger)
    }

    public var simulator: SimulatedCallProvider {
        let clock = self.clock
        return SimulatedCallProvider(
            store: store, completion: completion, seconds: configuration.callSimulatorSeconds,
            status: configuration.callSimulatorStatus, clock: { clock.now }, logger: logger)
    }

    public var runner: ExecutionRunner {
        let clock = self.clock
        let runners = ExecutionRunner.standardRunners(
            store: store,
            client: GuardedHTTPClient(policy: OutboundPolicy(allow: configuration.outboundAllow, own: configuration.ownListenAddress)),
            provider: simulator, configuration: configuration, clock: { clock.now }, circuits: circuits)
        // Jitter pinned to its middle, so backoff is exactly the policy's base.
        return ExecutionRunner(store: store, runners: runners, clock: { clock.now }, random: { 0.5 }, logger: logger)
    }

    /// Claims one due execution, runs it, records the outcome. Nil: nothing was due.
    @discardableResult
    public func turn(worker: String = "test-worker") async throws -> (id: UUID, outcome: ExecutionOutcome?)? {
        let now = clock.now
        guard let claimed = try await store.claimExecution(worker: worker, now: now, leaseUntil: now.adding(seconds: 30)) else {
            return nil
        }
        // As the worker pool does: the turn's last step-log lines are written with its outcome.
        guard let turn = await runner.runTurn(claimed, worker: worker) else { return (claimed.execution.id, nil) }
        try await store.finishTurn(
            executionID: claimed.execution.id, worker: worker, outcome: turn.outcome, now: clock.now, steps: turn.unsaved)
        return (claimed.execution.id, turn.outcome)
    }

    /// Turns until nothing is due.
    public func drain(limit: Int = 50) async throws {
        for _ in 0..<limit where try await turn() != nil {}
    }

    public func automation(_ definition: String, teamID: UUID? = nil) async throws -> Automation {
        let parsed = try JSONParser().parse(definition)
        try AutomationDefinition.validate(parsed)
        return try await store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: teamID ?? base.teamID, name: "engine", enabled: true, definition: parsed, webhookID: .v7(),
                token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: clock.now)
    }

    /// Queues an execution as a webhook would.
    public func trigger(_ automation: Automation, _ payload: String) async throws -> UUID {
        let id = UUID.v7(now: clock.now)
        try await store.insertExecution(
            NewExecution(
                id: id, teamID: automation.teamID, automationID: automation.id, body: Array(payload.utf8), receivedAt: clock.now))
        return id
    }

    public func execution(_ id: UUID) async throws -> Execution {
        guard let found = try await store.execution(id: id, teamID: base.teamID) else { throw MissingExecution(id: id) }
        return found
    }

    public func steps(_ id: UUID) async throws -> [String: StepRecord] {
        Dictionary(try await store.steps(executionID: id).map { ($0.stepID, $0) }, uniquingKeysWith: { $1 })
    }
}

/// A test asked for an execution the store does not have.
public struct MissingExecution: Error, CustomStringConvertible {
    public let id: UUID
    public var description: String { "no execution \(id.uuidString.lowercased())" }
}
