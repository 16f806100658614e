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
                // Stored as JSON text, as the column holds it.
                "input": record.input.map { .string($0.serialized) } ?? .null,
                "output": record.output.map { .string($0.serialized) } ?? .null,
                "error": record.error.map(JSONValue.string) ?? .null,
            ])
        }
        json = JSONValue.array(lines).serialized
        contextText = log.context.map { JSONValue.object($0).serialized }
        stepsCompleted = log.context == nil ? nil : Int32(log.stepsCompleted)
    }
}
