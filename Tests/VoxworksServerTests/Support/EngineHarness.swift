import Foundation
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport

/// The engine driven one turn at a time (`EngineDriver`) over a server
/// harness, for tests that look at an execution through the API or the
/// console after running it. Properties of the driver read through.
@dynamicMemberLookup
struct EngineHarness: Sendable {
    /// The server harness over the same store: its router, key and configuration.
    let base: TestHarness
    let driver: EngineDriver

    subscript<T>(dynamicMember path: KeyPath<EngineDriver, T>) -> T { driver[keyPath: path] }

    static func make(
        _ kind: StoreKind = .sqlite, base: TestHarness? = nil, receiver: LocalReceiver? = nil,
        configure: (inout EngineConfiguration) -> Void = { _ in }
    ) async throws -> EngineHarness {
        let base = if let base { base } else { try await TestHarness.make(kind) }
        let driver = try await EngineDriver.make(kind, base: base.fixture, receiver: receiver, configure: configure)
        return EngineHarness(base: base, driver: driver)
    }

    /// The same database, opened afresh: what a restarted node sees.
    func restarted() async throws -> EngineHarness {
        let configuration = driver.configuration
        return try await EngineHarness.make(base: try await base.reopened(), receiver: driver.receiver) { $0 = configuration }
    }

    @discardableResult
    func turn(worker: String = "test-worker") async throws -> (id: UUID, outcome: ExecutionOutcome?)? {
        try await driver.turn(worker: worker)
    }

    func drain(limit: Int = 50) async throws { try await driver.drain(limit: limit) }

    func automation(_ definition: String, teamID: UUID? = nil) async throws -> Automation {
        try await driver.automation(definition, teamID: teamID)
    }

    func trigger(_ automation: Automation, _ payload: String) async throws -> UUID { try await driver.trigger(automation, payload) }

    func execution(_ id: UUID) async throws -> Execution { try await driver.execution(id) }

    func steps(_ id: UUID) async throws -> [String: StepRecord] { try await driver.steps(id) }
}
