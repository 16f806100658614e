import Synchronization
import VoxworksCore

/// Automation definitions as parsed at claim time, by their stored text.
/// Every claim reads the execution's pinned definition, and the executions
/// of one automation share a handful of versions: parsing it each time cost
/// about a fifth of each claim on SQLite's single writer connection (both
/// stores use it). Keyed by the whole text, so an edited definition is a
/// new entry, never a stale one.
final class ParsedDefinitionCache: Sendable {
    struct Entry: Sendable {
        var definition: JSONValue
        var stepCount: Int
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The parsed definition (empty when the text is not valid JSON) and its step count.
    func entry(for text: String?) -> Entry {
        guard let text else { return Entry(definition: AutomationDefinition.empty, stepCount: AutomationDefinition.stepCount(AutomationDefinition.empty)) }
        if let found = entries.withLock({ $0[text] }) { return found }
        let definition = (try? JSONParser().parse(text)) ?? AutomationDefinition.empty
        let entry = Entry(definition: definition, stepCount: AutomationDefinition.stepCount(definition))
        entries.withLock { entries in
            // Many distinct definitions at once is rare: start over rather than track use.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = entry
        }
        return entry
    }
}
