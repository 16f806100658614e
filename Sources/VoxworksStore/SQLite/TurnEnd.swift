import Foundation
import GRDB
import VoxworksCore

/// How a turn ended, ready for SQLite: the outcome's update (one fixed text
/// per outcome kind, so the statement cache holds at most five), which also
/// saves the context, and the step-log lines written with it.
struct TurnEnd: Sendable {
    let sql: String
    let arguments: StatementArguments
    let lines: StepLogLines?

    init(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?) {
        let id = executionID.lowercased
        // The context to resume from, saved in the same update (nil keeps the stored one).
        let owned = "id = :id AND lease_owner = :worker AND status = 'processing'"
        let saved = "context = COALESCE(:context, context), steps_completed = COALESCE(:completed, steps_completed)"
        let lines = steps.map { StepLogLines(executionID: executionID, $0) }
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "id": id, "worker": worker, "now": now.millis,
            "context": lines?.contextText, "completed": lines?.contextText == nil ? nil : lines?.stepsCompleted,
        ]
        switch outcome {
        case .completed:
            sql = "UPDATE executions SET status = 'completed', finished_at = :now, error = NULL, lease_owner = NULL, lease_expires_at = NULL, \(saved) WHERE \(owned)"
        case .failed(let error):
            arguments["error"] = error
            sql = "UPDATE executions SET status = 'failed', finished_at = :now, error = :error, lease_owner = NULL, lease_expires_at = NULL, \(saved) WHERE \(owned)"
        case .deadLetter(let error):
            arguments["error"] = error
            sql = "UPDATE executions SET status = 'dead_letter', finished_at = :now, error = :error, lease_owner = NULL, lease_expires_at = NULL, \(saved) WHERE \(owned)"
        case .retry(let error, let runAt):
            arguments["error"] = error
            arguments["runAt"] = runAt.millis
            sql = "UPDATE executions SET status = 'pending', run_at = :runAt, error = :error, lease_owner = NULL, lease_expires_at = NULL, \(saved) WHERE \(owned)"
        case .wait(let reason, let until):
            arguments["reason"] = reason.rawValue
            // A call wait has no due time: the call's end sets one.
            arguments["runAt"] = until?.millis ?? Int64.max
            sql = "UPDATE executions SET wait_reason = :reason, run_at = :runAt, lease_owner = NULL, lease_expires_at = NULL, \(saved) WHERE \(owned)"
        }
        self.arguments = StatementArguments(arguments)
        self.lines = lines
    }

    /// False (nothing written) when the worker no longer holds the execution.
    /// The outcome's update goes first: its `WHERE` is the lease check.
    func write(_ db: Database) throws -> Bool {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
        guard db.changesCount > 0 else { return false }
        try lines?.insertLines(db)
        return true
    }
}
