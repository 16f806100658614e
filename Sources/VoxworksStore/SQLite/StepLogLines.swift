import Foundation
import GRDB
import VoxworksCore

/// A `StepLogWrite` ready for SQLite: its JSON is serialized before the
/// write is queued, since every worker waits on the one writer connection.
struct StepLogLines: Sendable {
    let executionID: String
    /// The lines' arguments, `chunk` lines to a statement (see `insertLines`).
    let chunks: [[SQLiteValue]]
    let count: Int
    let contextText: String?
    let stepsCompleted: Int

    init(executionID: UUID, _ log: StepLogWrite) {
        let id = executionID.lowercased
        self.executionID = id
        chunks = stride(from: 0, to: log.records.count, by: Self.chunk).map { start in
            var values: [SQLiteValue] = []
            for record in log.records[start..<min(start + Self.chunk, log.records.count)] {
                values += [
                    .text(id), .text(record.stepID), .int(Int64(record.position)), .text(record.type), .text(record.status.rawValue),
                    SQLiteValue(record.startedAt?.millis), SQLiteValue(record.finishedAt?.millis), .int(Int64(record.attempts)),
                    SQLiteValue(record.input?.serialized), SQLiteValue(record.output?.serialized), SQLiteValue(record.error),
                    SQLiteValue(record.attemptLog.storedText),
                ]
            }
            return values
        }
        count = log.records.count
        contextText = log.context.map { JSONValue.object($0).serialized }
        stepsCompleted = log.stepsCompleted
    }

    private static let columns = 12
    /// Lines per statement: a turn writes one to a few; longer logs go in chunks.
    private static let chunk = 8
    /// The insert of 1…`chunk` lines, made once: one statement for a
    /// turn's lines instead of one each. `OR REPLACE` keeps the later of two
    /// lines for one step, as rows of one statement are written in order.
    private static let inserts: [String] = (1...chunk).map { count in
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return """
            INSERT OR REPLACE INTO execution_steps
                (execution_id, step_id, position, type, status, started_at, finished_at, attempts, input, output, error, attempt_log)
            VALUES \(Array(repeating: row, count: count).joined(separator: ", "))
            """
    }

    /// Writes the lines if `worker` holds the execution; false, with nothing
    /// written, when it does not. With a context to save, its update is the
    /// check (one statement instead of a read and a write).
    func writeIfHeld(_ db: Database, worker: String) throws -> Bool {
        if let contextText {
            try db.cachedStatement(
                sql: """
                    UPDATE executions SET context = ?, steps_completed = ? WHERE id = ? AND lease_owner = ? AND status = 'processing'
                    """
            ).run([.text(contextText), .int(Int64(stepsCompleted)), .text(executionID), .text(worker)])
            guard db.changesCount > 0 else { return false }
        } else {
            guard try SQLiteStore.holds(db, executionID: executionID, worker: worker) else { return false }
        }
        try insertLines(db)
        return true
    }

    /// The lines alone (`TurnEnd` saves the context in its own update).
    func insertLines(_ db: Database) throws {
        for (index, arguments) in chunks.enumerated() {
            let lines = min(Self.chunk, count - index * Self.chunk)
            try db.cachedStatement(sql: Self.inserts[lines - 1]).run(arguments)
        }
    }
}
