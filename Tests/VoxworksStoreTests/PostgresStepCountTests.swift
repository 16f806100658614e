import Foundation
import PostgresNIO
import Testing
import VoxworksCore
@testable import VoxworksStore
import VoxworksTestSupport

/// The claim sets an execution's step count from `automations.step_count`
/// in its one statement (migration 8). The claim's reader would mend a
/// wrong count with a second write, which hides a store that forgot to
/// keep the column: so the column itself is checked here.
@Suite struct PostgresStepCountTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func theStepCountIsWrittenWithEveryDefinition() async throws {
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let opened = try await StoreKind.postgres.open(directory: FileManager.default.temporaryDirectory, secretBox: box, postgresURL: nil)
        let store = try #require(opened.store as? PostgresStore)
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store)
            #expect(try await stepCount(store, fixture.automation.id) == 0)
            // Branches count: three steps, one of them inside a condition.
            let definition = try JSONParser().parse(
                """
                {"trigger": {"type": "webhook"}, "steps": [
                    {"id": "a", "type": "transform", "mappings": []},
                    {"id": "c", "type": "condition", "field": "trigger.x", "operator": "equals", "value": "y",
                     "then": [{"id": "d", "type": "delay", "seconds": 1}]}]}
                """)
            #expect(AutomationDefinition.stepCount(definition) == 3)
            _ = try await store.updateAutomation(
                id: fixture.automation.id, teamID: fixture.team.id, patch: AutomationPatch(definition: definition), now: .now())
            #expect(try await stepCount(store, fixture.automation.id) == 3)
        }
    }

    private func stepCount(_ store: PostgresStore, _ automationID: UUID) async throws -> Int32? {
        let rows = try await store.client.query(
            "SELECT step_count FROM automations WHERE id = \(automationID.lowercased)", logger: store.logger)
        for try await count in rows.decode(Int32?.self) { return count }
        return nil
    }
}
