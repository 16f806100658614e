import Foundation
import GRDB
import VoxworksCore

/// How a turn ended, ready for SQLite: the outcome's update (one fixed text
/// per outcome kind, so the statement cache holds at most six), which also
/// saves the context, and the step-log lines written with it.
struct TurnEnd: Sendable {
    let sql: String
    let arguments: [SQLiteValue]
    let lines: StepLogLines?
    /// A completed turn resolves the execution it replays (`resolved_by`).
    let resolves: Bool

    init(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?) {
        // Numbered arguments, the same numbers in every kind's text, bound
        // by position (binding by name hashed every name on the writer).
        // ?1 id, ?2 worker, ?3 context, ?4 steps completed, then the kind's own.
        let owned = "id = ?1 AND lease_owner = ?2 AND status = 'processing'"
        // The context to resume from, saved in the same update (nil keeps the stored one).
        let saved = "context = COALESCE(?3, context), steps_completed = COALESCE(?4, steps_completed)"
        let released = "lease_owner = NULL, lease_expires_at = NULL"
        let lines = steps.map { StepLogLines(executionID: executionID, $0) }
        var arguments: [SQLiteValue] = [
            .text(executionID.lowercased), .text(worker), SQLiteValue(lines?.contextText), SQLiteValue(lines?.stepsCompleted),
        ]
        switch outcome {
        case .completed:
            arguments += [.int(now.millis)]
            // Nothing is left to resume: the context is dropped (and the row shrinks).
            sql =
                "UPDATE executions SET status = 'completed', finished_at = ?5, error = NULL, \(released), context = NULL, steps_completed = COALESCE(?4, steps_completed) WHERE \(owned)"
        case .failed(let error):
            arguments += [.int(now.millis), .text(error)]
            sql = "UPDATE executions SET status = 'failed', finished_at = ?5, error = ?6, \(released), \(saved) WHERE \(owned)"
        case .deadLetter(let error):
            arguments += [.int(now.millis), .text(error)]
            sql = "UPDATE executions SET status = 'dead_letter', finished_at = ?5, error = ?6, \(released), \(saved) WHERE \(owned)"
        case .retry(let error, let runAt):
            arguments += [.int(runAt.millis), .text(error)]
            sql = "UPDATE executions SET status = 'pending', run_at = ?5, error = ?6, \(released), \(saved) WHERE \(owned)"
        case .wait(let reason, let until):
            // A call wait has no due time: the call's end sets one.
            arguments += [.int(until?.millis ?? Int64.max), .text(reason.rawValue)]
            sql = "UPDATE executions SET wait_reason = ?6, run_at = ?5, \(released), \(saved) WHERE \(owned)"
        case .deferred(let reason, let until):
            arguments += [.int(until.millis), .text(reason.rawValue)]
            sql = "UPDATE executions SET status = 'pending', wait_reason = ?6, run_at = ?5, \(released), \(saved) WHERE \(owned)"
        }
        self.arguments = arguments
        self.lines = lines
        if case .completed = outcome { resolves = true } else { resolves = false }
    }

    /// Marks the execution a completed replay replays as resolved by it
    /// (the first replay to complete wins); a primary-key read, and no
    /// write, when the execution is no replay.
    static let resolveOriginal = """
        UPDATE executions SET resolved_by = ?1
        WHERE id = (SELECT replay_of FROM executions WHERE id = ?1) AND resolved_by IS NULL
        """

    /// False (nothing written) when the worker no longer holds the execution.
    /// The outcome's update goes first: its `WHERE` is the lease check.
    func write(_ db: Database) throws -> Bool {
        try db.cachedStatement(sql: sql).run(arguments)
        guard db.changesCount > 0 else { return false }
        if resolves { try db.cachedStatement(sql: Self.resolveOriginal).run([arguments[0]]) }
        try lines?.insertLines(db)
        return true
    }
}
