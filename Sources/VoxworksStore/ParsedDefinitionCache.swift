import Synchronization
import VoxworksCore

/// Automation definitions as parsed at claim time, by their stored text.
/// Every claim reads the execution's pinned definition, and the executions
/// of one automation share a handful of versions: parsing it each time cost
/// about a fifth of each claim on SQLite's single writer connection (both
/// stores use it). Keyed by the whole text, so an edited definition is a
/// new entry, never a stale one.
///
/// Stored definitions are parsed leniently (fields the parser does not know
/// are ignored, see `DefinitionStrictness`). One that cannot be parsed at
/// all is corrupt data: the claim hands its execution over with the error,
/// and the execution fails with it instead of running no steps.
final class ParsedDefinitionCache: Sendable {
    struct Entry: Sendable {
        var definition: Result<AutomationDefinition, StoreError>
        /// Steps counting branches, from the JSON (0 when it is unreadable).
        var stepCount: Int
    }

    private let entries = Mutex<[String: AutomationDefinition]>([:])
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The parsed definition pinned to execution `executionID`, and its step count.
    func entry(for text: String?, executionID: String) -> Entry {
        guard let text else {
            return Entry(
                definition: .failure(.corrupt(table: "executions", id: executionID, detail: "its definition is missing")), stepCount: 0)
        }
        if let found = entries.withLock({ $0[text] }) { return Entry(definition: .success(found), stepCount: found.stepCount) }
        let json: JSONValue
        do {
            json = try JSONParser().parse(text)
        } catch {
            return Entry(
                definition: .failure(.corrupt(table: "executions", id: executionID, detail: "definition is not valid JSON")), stepCount: 0)
        }
        let definition: AutomationDefinition
        do {
            definition = try AutomationDefinition(parsing: json, strictness: .lenient)
        } catch {
            return Entry(
                definition: .failure(.corrupt(table: "executions", id: executionID, detail: "definition cannot run: \(error.message)")),
                stepCount: AutomationDefinition.stepCount(json))
        }
        entries.withLock { entries in
            // Many distinct definitions at once is rare: start over rather than track use.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = definition
        }
        return Entry(definition: .success(definition), stepCount: definition.stepCount)
    }
}
