import Foundation
import GRDB
import VoxworksCore

/// A `StepLogWrite` ready for SQLite: its JSON is serialized before the
/// write is queued, since every worker waits on the one writer connection.
struct StepLogLines: Sendable {
    let executionID: String
    let lines: [StatementArguments]
    let contextText: String?
    let stepsCompleted: Int

    init(executionID: UUID, _ log: StepLogWrite) {
        let id = executionID.lowercased
        self.executionID = id
        lines = log.records.map { record in
            [
                id, record.stepID, record.position, record.type, record.status.rawValue,
                record.startedAt?.millis, record.finishedAt?.millis, record.attempts,
                record.input?.serialized, record.output?.serialized, record.error,
            ]
        }
        contextText = log.context.map { JSONValue.object($0).serialized }
        stepsCompleted = log.stepsCompleted
    }

    /// Writes the lines if `worker` holds the execution; false, with nothing
    /// written, when it does not. With a context to save, its update is the
    /// check (one statement instead of a read and a write).
    func writeIfHeld(_ db: Database, worker: String) throws -> Bool {
        if let contextText {
            try db.cachedStatement(sql: """
                UPDATE executions SET context = ?, steps_completed = ? WHERE id = ? AND lease_owner = ? AND status = 'processing'
                """
            ).execute(arguments: [contextText, stepsCompleted, executionID, worker])
            guard db.changesCount > 0 else { return false }
        } else {
            guard try SQLiteStore.holds(db, executionID: executionID, worker: worker) else { return false }
        }
        try insertLines(db)
        return true
    }

    /// The lines alone (`TurnEnd` saves the context in its own update).
    func insertLines(_ db: Database) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO execution_steps
                (execution_id, step_id, position, type, status, started_at, finished_at, attempts, input, output, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for line in lines {
            try insert.execute(arguments: line)
        }
    }
}
