/// What starts an automation's executions.
public enum AutomationTrigger: Sendable, Equatable {
    /// A webhook posted to the automation's URL.
    case webhook
    /// A call that ended; nil filters match every call.
    case callCompleted(scriptIDs: [String]?, statuses: [String]?)

    /// The `type` written in definitions and stored with executions.
    public enum Kind: String, Sendable, CaseIterable {
        case webhook
        case callCompleted = "call_completed"
    }

    public var kind: Kind {
        switch self {
        case .webhook: .webhook
        case .callCompleted: .callCompleted
        }
    }

    static let fields: [Kind: Set<String>] = [.webhook: ["type"], .callCompleted: ["type", "script_ids", "statuses"]]

    init(parsing value: JSONValue?, strictness: DefinitionStrictness) throws(DefinitionError) {
        guard let trigger = value?.objectValue else {
            throw DefinitionError("definition.trigger must be an object with a \"type\"")
        }
        guard let name = trigger["type"]?.stringValue, let kind = Kind(rawValue: name) else {
            throw DefinitionError(
                "definition.trigger.type must be one of: \(Kind.allCases.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        if strictness == .strict {
            try UnknownFields.check(trigger, known: Self.fields[kind] ?? ["type"], owner: "definition.trigger")
        }
        switch kind {
        case .webhook:
            self = .webhook
        case .callCompleted:
            func list(_ filter: String) throws(DefinitionError) -> [String]? {
                guard let value = trigger[filter], !value.isNull else { return nil }
                guard let elements = value.arrayValue else {
                    throw DefinitionError("definition.trigger.\(filter) must be an array of strings")
                }
                var strings: [String] = []
                for element in elements {
                    guard let text = element.stringValue else {
                        throw DefinitionError("definition.trigger.\(filter) must be an array of strings")
                    }
                    strings.append(text)
                }
                return strings
            }
            self = .callCompleted(scriptIDs: try list("script_ids"), statuses: try list("statuses"))
        }
    }
}
