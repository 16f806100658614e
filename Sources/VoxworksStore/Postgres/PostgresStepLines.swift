import Foundation
import VoxworksCore

/// A `StepLogWrite` as PostgreSQL takes it: the lines as one JSON array,
/// read with `json_to_recordset`, so that any number of lines is part of
/// one statement rather than a round trip each. Only the last line of each
/// step is kept: a later line replaces an earlier one, and one
/// `INSERT … ON CONFLICT` may not write the same row twice.
struct PostgresStepLines: Sendable {
    /// `[]` when there are none.
    let json: String
    let contextText: String?
    let stepsCompleted: Int32?

    /// The CTE that writes the lines, for a statement whose earlier CTEs are
    /// `step_lines` (one row: `json` as `lines`) and `held` (the execution's
    /// id if the worker holds it, else no row: then nothing is written).
    static let writtenAfterHeld = """
        written AS (
            INSERT INTO execution_steps (execution_id, step_id, position, type, status, started_at, finished_at, attempts, input, output, error,
                attempt_log)
            SELECT held.id, l.step_id, l.position, l.type, l.status, l.started_at, l.finished_at, l.attempts,
                COALESCE((l.input -> 'v')::TEXT, l.input ->> 's'), COALESCE((l.output -> 'v')::TEXT, l.output ->> 's'), l.error,
                l.attempt_log
            FROM held, step_lines, json_to_recordset(step_lines.lines) AS l(step_id TEXT, position INTEGER, type TEXT, status TEXT,
                started_at BIGINT, finished_at BIGINT, attempts INTEGER, input JSON, output JSON, error TEXT, attempt_log TEXT)
            ON CONFLICT (execution_id, step_id) DO UPDATE SET position = EXCLUDED.position, type = EXCLUDED.type,
                status = EXCLUDED.status, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                attempts = EXCLUDED.attempts, input = EXCLUDED.input, output = EXCLUDED.output, error = EXCLUDED.error,
                attempt_log = EXCLUDED.attempt_log
        )
        """

    init(_ log: StepLogWrite?) {
        guard let log else {
            json = "[]"
            contextText = nil
            stepsCompleted = nil
            return
        }
        var last: [String: Int] = [:]
        for (index, record) in log.records.enumerated() { last[record.stepID] = index }
        let lines = log.records.enumerated().filter { last[$0.element.stepID] == $0.offset }.map { _, record -> JSONValue in
            .object([
                "step_id": .string(record.stepID),
                "position": .int(record.position),
                "type": .string(record.type),
                "status": .string(record.status.rawValue),
                "started_at": record.startedAt.map { .number(String($0.millis)) } ?? .null,
                "finished_at": record.finishedAt.map { .number(String($0.millis)) } ?? .null,
                "attempts": .int(record.attempts),
                "input": record.input.map(Self.wrapped) ?? .null,
                "output": record.output.map(Self.wrapped) ?? .null,
                // A text column cannot hold a NUL; PostgreSQL would refuse the
                // whole write (and the claim that goes with it).
                "error": record.error.map { .string($0.replacing("\u{0}", with: "\u{FFFD}")) } ?? .null,
                // As text: its JSON escapes (a NUL's `\u0000` too) stay escaped in the column.
                "attempt_log": record.attemptLog.storedText.map { .string($0) } ?? .null,
            ])
        }
        json = JSONValue.array(lines).serialized
        contextText = log.context.map { JSONValue.object($0).serialized }
        stepsCompleted = Int32(log.stepsCompleted)
    }

    /// A step's input or output as the lines array carries it: as a JSON
    /// value, not as escaped text, since escaping each value a second time
    /// was a tenth of the server's work in the drain. Wrapped (`{"v": …}`),
    /// because a bare JSON `null` would be read as SQL NULL, and a step whose
    /// input is `null` has one; `json`'s `->` hands back the value's text as
    /// written here. A value holding a NUL anywhere goes as its text in a
    /// string (`{"s": "…"}`), as before: PostgreSQL's JSON functions refuse to
    /// turn `\u0000` into text, and would fail the whole write.
    static func wrapped(_ value: JSONValue) -> JSONValue {
        containsNUL(value) ? .object(["s": .string(value.serialized)]) : .object(["v": value])
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.contains(0)
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        default: false
        }
    }
}
