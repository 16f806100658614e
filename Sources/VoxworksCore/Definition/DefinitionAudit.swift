/// Stored definitions checked against today's rules, so that a rule made
/// stricter (unknown fields refused) is reported instead of breaking
/// automations that were saved before it. Run when a node starts and by
/// `voxworks migrate`.
public enum DefinitionAudit {
    /// What is wrong with one stored definition.
    public enum Problem: Sendable, Equatable {
        /// Not JSON at all: its executions fail with the store's error.
        case unreadable
        /// JSON that no longer parses even leniently: its executions fail with this message.
        case cannotRun(String)
        /// Runs as before (unknown fields are ignored), but the API would
        /// refuse it if it were sent again; the message names the field.
        case refusedIfSaved(String)
    }

    public struct Finding: Sendable, Equatable {
        public var automationID: String
        public var name: String
        public var problem: Problem

        /// One line for the log or the terminal.
        public var line: String {
            switch problem {
            case .unreadable:
                "automation \(automationID) (\(name)): its definition is not valid JSON; its executions fail until it is replaced"
            case .cannotRun(let message):
                "automation \(automationID) (\(name)): its definition cannot run (\(message)); its executions fail until it is replaced"
            case .refusedIfSaved(let message):
                "automation \(automationID) (\(name)): runs as before, but the API now refuses its definition (\(message)); "
                    + "fix it with PATCH /api/v1/automations/\(automationID)"
            }
        }
    }

    /// Checks stored definitions given as `(automation id, name, stored text)`.
    public static func findings(_ definitions: [(id: String, name: String, text: String)]) -> [Finding] {
        definitions.compactMap { definition in
            guard let json = try? JSONParser().parse(definition.text) else {
                return Finding(automationID: definition.id, name: definition.name, problem: .unreadable)
            }
            do throws(DefinitionError) {
                _ = try AutomationDefinition(parsing: json, strictness: .lenient)
            } catch {
                return Finding(automationID: definition.id, name: definition.name, problem: .cannotRun(error.message))
            }
            do throws(DefinitionError) {
                _ = try AutomationDefinition(parsing: json, strictness: .strict)
                return nil
            } catch {
                return Finding(automationID: definition.id, name: definition.name, problem: .refusedIfSaved(error.message))
            }
        }
    }
}
