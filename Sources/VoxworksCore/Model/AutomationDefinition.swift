/// Why a definition was refused, naming the step and field (shown in a `400`).
public struct DefinitionError: Error, Sendable, Equatable {
    /// A message is cut to this many bytes: it may quote the definition's
    /// own text, which is as long as the request that sent it.
    public static let maxMessageBytes = 1_024

    public var message: String
    public init(_ message: String) { self.message = Truncation.text(message, maxBytes: Self.maxMessageBytes) }
}

/// The rules of an automation definition: a known trigger, at most 20
/// steps counting branches, each with a unique well-formed id, a known type
/// and the fields its type needs (`StepDefinitionValidator`).
public enum AutomationDefinition {
    public static let maxSteps = 20
    public static let stepTypes: Set<String> = [
        "transform", "condition", "upsert_contact", "upsert_object", "http_request", "create_call", "delay",
    ]
    public static let triggerTypes: Set<String> = ["webhook", "call_completed"]

    /// A webhook trigger and no steps: what an automation created without a definition runs.
    public static let empty: JSONValue = .object(["trigger": .object(["type": "webhook"]), "steps": .array([])])

    public static func validate(_ definition: JSONValue) throws(DefinitionError) {
        guard let object = definition.objectValue else { throw DefinitionError("definition must be a JSON object") }
        guard let trigger = object["trigger"]?.objectValue else {
            throw DefinitionError("definition.trigger must be an object with a \"type\"")
        }
        guard let type = trigger["type"]?.stringValue, triggerTypes.contains(type) else {
            throw DefinitionError("definition.trigger.type must be one of: \(triggerTypes.sorted().joined(separator: ", "))")
        }
        let steps: [JSONValue]
        switch object["steps"] {
        case nil, .null?: steps = []
        case .array(let array)?: steps = array
        default: throw DefinitionError("definition.steps must be an array")
        }
        try RetryPolicy.validate(definition)
        try ConcurrencyLimit.validate(definition)
        if type == "call_completed" {
            for filter in ["script_ids", "statuses"] {
                guard let value = trigger[filter], !value.isNull else { continue }
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw DefinitionError("definition.trigger.\(filter) must be an array of strings")
                }
            }
        }
        var seen = Set<String>()
        var count = 0
        var checked: [(JSONObject, String, String)] = []
        try validateSteps(steps, path: "steps", seen: &seen, count: &count, checked: &checked)
        guard count <= maxSteps else {
            throw DefinitionError("definition has \(count) steps; at most \(maxSteps) are allowed (branch steps count)")
        }
        // Each type's own fields, once the structure is known to be sound.
        for (object, id, type) in checked {
            try StepDefinitionValidator.validate(step: object, id: id, type: type)
        }
    }

    private static func validateSteps(
        _ steps: [JSONValue], path: String, seen: inout Set<String>, count: inout Int, checked: inout [(JSONObject, String, String)]
    ) throws(DefinitionError) {
        for (index, step) in steps.enumerated() {
            let here = "\(path)[\(index)]"
            guard let object = step.objectValue else { throw DefinitionError("\(here) must be an object") }
            count += 1
            guard let id = object["id"]?.stringValue else { throw DefinitionError("\(here): field \"id\" is required") }
            guard isValidStepID(id) else {
                throw DefinitionError("\(here): field \"id\" must match [a-z0-9_-]{1,64}")
            }
            guard seen.insert(id).inserted else { throw DefinitionError("step \"\(id)\": field \"id\" is used twice") }
            guard let type = object["type"]?.stringValue else { throw DefinitionError("step \"\(id)\": field \"type\" is required") }
            guard stepTypes.contains(type) else {
                throw DefinitionError("step \"\(id)\": field \"type\" must be one of: \(stepTypes.sorted().joined(separator: ", "))")
            }
            checked.append((object, id, type))
            if type == "condition" {
                for branch in ["then", "otherwise"] {
                    switch object[branch] {
                    case nil, .null?: continue
                    case .array(let nested)?: try validateSteps(nested, path: "\(id).\(branch)", seen: &seen, count: &count, checked: &checked)
                    default: throw DefinitionError("step \"\(id)\": field \"\(branch)\" must be an array of steps")
                    }
                }
            }
        }
    }

    /// An object type (`upsert_object`, `POST /api/v1/upsert-object`): `[a-z0-9_]{1,64}`.
    public static func isValidObjectType(_ type: String) -> Bool {
        let utf8 = type.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        return utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    public static func isValidStepID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Steps in the definition, counting those inside branches.
    public static func stepCount(_ definition: JSONValue) -> Int {
        func count(_ steps: [JSONValue]?) -> Int {
            (steps ?? []).reduce(0) { total, step in
                total + 1 + count(step["then"]?.arrayValue) + count(step["otherwise"]?.arrayValue)
            }
        }
        return count(definition["steps"]?.arrayValue)
    }
}
