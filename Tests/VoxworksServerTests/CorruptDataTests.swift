import Foundation
import GRDB
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport

/// The one rule for corrupt stored data: reading it throws the store's
/// error naming the table and row, and an execution whose stored data
/// cannot be read fails with that error. Before the rule, an unreadable
/// definition read as an empty one and its execution "completed" with zero
/// steps. Each test corrupts a row behind the store's back, on both stores.
@Suite("Corrupt stored data")
struct CorruptDataTests {
    private static let transformThenDelay = #"""
        {"trigger":{"type":"webhook"},"steps":[
          {"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a"}]},
          {"id":"wait","type":"delay","seconds":60},
          {"id":"again","type":"transform","mappings":[{"source":"mapped.a","target":"b"}]}]}
        """#

    /// Runs `sql` on the harness's database directly, as a disk fault or a
    /// hand edit would.
    private func corrupt(_ engine: EngineHarness, _ sql: String) async throws {
        if let url = engine.base.postgresURL {
            let store = try await PostgresStore.connect(
                url: url, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)), logger: engine.logger, maximumConnections: 1)
            defer { store.close() }
            try await store.execute(sql)
        } else {
            let queue = try DatabaseQueue(path: engine.base.databasePath)
            try await queue.write { try $0.execute(sql: sql) }
        }
    }

    @Test(arguments: StoreKind.available)
    func anUnreadableDefinitionFailsTheExecutionAndNamesTheRow(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(Self.transformThenDelay)
        let id = try await engine.trigger(automation, #"{"a":1}"#)
        try await corrupt(engine, #"UPDATE automations SET definition = '{"trigger":' WHERE id = '\#(automation.id.lowercased)'"#)

        let turn = try #require(try await engine.turn())
        #expect(turn.outcome == .failed("store data is corrupt: executions \(id.lowercased): definition is not valid JSON"))
        let execution = try await engine.execution(id)
        #expect(execution.status == .failed)
        #expect(execution.stepsCompleted == 0)
        #expect(try await engine.steps(id).isEmpty, "no step ran")

        // Reading the automation itself says which row is unreadable.
        await #expect(
            throws: StoreError.corrupt(table: "automations", id: automation.id.lowercased, detail: "definition is not valid JSON")
        ) {
            _ = try await engine.store.automation(id: automation.id, teamID: automation.teamID)
        }
    }

    @Test(arguments: StoreKind.available)
    func aStoredDefinitionThatNoLongerParsesFailsWithItsReason(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(Self.transformThenDelay)
        let id = try await engine.trigger(automation, #"{"a":1}"#)
        try await corrupt(
            engine,
            #"""
            UPDATE automations SET definition = '{"trigger":{"type":"webhook"},"steps":[{"id":"x","type":"send_fax"}]}'
            WHERE id = '\#(automation.id.lowercased)'
            """#)

        let turn = try #require(try await engine.turn())
        guard case .failed(let message)? = turn.outcome else {
            Issue.record("expected a failure, got \(String(describing: turn.outcome))")
            return
        }
        #expect(
            message.hasPrefix(
                "store data is corrupt: executions \(id.lowercased): definition cannot run: step \"x\": field \"type\" must be one of"))
        #expect(try await engine.execution(id).status == .failed)
    }

    @Test(arguments: StoreKind.available)
    func anUnreadableContextFailsTheResumedExecution(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let automation = try await engine.automation(Self.transformThenDelay)
        let id = try await engine.trigger(automation, #"{"a":1}"#)
        let first = try #require(try await engine.turn())
        guard case .wait(.delay, _)? = first.outcome else {
            Issue.record("expected the delay to park the execution, got \(String(describing: first.outcome))")
            return
        }
        try await corrupt(engine, "UPDATE executions SET context = 'not json' WHERE id = '\(id.lowercased)'")
        engine.clock.advance(seconds: 61)

        let second = try #require(try await engine.turn())
        #expect(second.outcome == .failed("store data is corrupt: executions \(id.lowercased): context is not valid JSON"))
        let execution = try await engine.execution(id)
        #expect(execution.status == .failed)
        #expect(try await engine.steps(id)["again"]?.status != .completed, "the step after the wait never ran")
    }

    /// The record of the request that created an execution, kept with it:
    /// an unreadable one names the execution's row.
    @Test(arguments: StoreKind.available)
    func anUnreadableRequestRecordNamesItsExecution(_ kind: StoreKind) async throws {
        let engine = try await EngineHarness.make(kind)
        defer { engine.receiver.stop() }
        let harness = engine.base
        let token = try await harness.automation().automation.webhook.token
        let id = try await harness.withRouter { client in
            try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}")))
        }
        let view = RequestLogView(keptSince: Timestamp(millis: 0), bodyBytes: 100)
        #expect(try await harness.store.request(id: id, teamID: harness.teamID, view: view)?.status == 202)
        try await corrupt(engine, "UPDATE executions SET request_log = '{\"method\":' WHERE id = '\(id.lowercased)'")
        await #expect(throws: StoreError.corrupt(table: "executions", id: id.lowercased, detail: "request_log is not valid JSON")) {
            _ = try await harness.store.request(id: id, teamID: harness.teamID, view: view)
        }
        try await corrupt(engine, "UPDATE executions SET request_log = '[1]' WHERE id = '\(id.lowercased)'")
        await #expect(
            throws: StoreError.corrupt(table: "executions", id: id.lowercased, detail: "request_log is not a request log entry")
        ) {
            _ = try await harness.store.requests(teamID: harness.teamID, query: RequestLogQuery(), view: view)
        }
    }
}
