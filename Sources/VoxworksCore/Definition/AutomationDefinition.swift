/// Why a definition was refused, naming the step and field (shown in a `400`).
public struct DefinitionError: Error, Sendable, Equatable {
    /// A message is cut to this many bytes: it may quote the definition's
    /// own text, which is as long as the request that sent it.
    public static let maxMessageBytes = 1_024

    public var message: String
    public init(_ message: String) { self.message = Truncation.text(message, maxBytes: Self.maxMessageBytes) }
}

/// An automation definition, parsed once into types: a known trigger, at
/// most 20 steps counting branches, each with a unique well-formed id, a
/// known type and its type's spec with every default resolved, the retry
/// policy and the concurrency cap. The parser is the validator: what parses
/// runs, and every refusal names the step and the field.
public struct AutomationDefinition: Sendable {
    public static let maxSteps = 20
    /// The top-level fields of a definition.
    static let fields: Set<String> = ["trigger", "steps", "retry", "concurrency"]
    static let retryFields: Set<String> = ["max_attempts", "initial_backoff_seconds", "max_backoff_seconds"]

    public var trigger: AutomationTrigger
    public var steps: [AutomationStep]
    public var retry: RetryPolicy
    /// At most this many executions of the automation in flight at once.
    public var concurrency: Int
    /// Steps counting those inside branches.
    public var stepCount: Int

    /// A webhook trigger and no steps: what an automation created without a definition runs.
    public static let emptyJSON: JSONValue = .object(["trigger": .object(["type": "webhook"]), "steps": .array([])])

    /// Parses a definition. `strictness` says whether unknown fields are
    /// refused (definitions sent to the API) or ignored (stored ones).
    public init(parsing definition: JSONValue, strictness: DefinitionStrictness = .strict) throws(DefinitionError) {
        guard let object = definition.objectValue else { throw DefinitionError("definition must be a JSON object") }
        if strictness == .strict {
            try UnknownFields.check(object, known: Self.fields, owner: "definition")
        }
        trigger = try AutomationTrigger(parsing: object["trigger"], strictness: strictness)
        let written: [JSONValue]
        switch object["steps"] {
        case nil, .null?: written = []
        case .array(let array)?: written = array
        default: throw DefinitionError("definition.steps must be an array")
        }
        try RetryPolicy.validate(definition)
        if strictness == .strict, case .object(let retry)? = object["retry"] {
            try UnknownFields.check(retry, known: Self.retryFields, owner: "definition.retry")
        }
        retry = RetryPolicy(definition: definition)
        try ConcurrencyLimit.validate(definition)
        concurrency = ConcurrencyLimit.automation(definition)
        var walk = StepWalk(strictness: strictness)
        // Structure first (ids, types, the step limit), so that a definition
        // with too many steps is refused as such, not for a field of step 21.
        try walk.checkStructure(written, path: "steps")
        guard walk.count <= Self.maxSteps else {
            throw DefinitionError("definition has \(walk.count) steps; at most \(Self.maxSteps) are allowed (branch steps count)")
        }
        steps = try walk.parse(written)
        stepCount = walk.count
    }

    /// Checks a definition strictly, as the API does before storing it.
    public static func validate(_ definition: JSONValue) throws(DefinitionError) {
        _ = try AutomationDefinition(parsing: definition, strictness: .strict)
    }

    /// An object type (`upsert_object`, `POST /api/v1/upsert-object`): `[a-z0-9_]{1,64}`.
    public static func isValidObjectType(_ type: String) -> Bool {
        type.utf8.count <= 64 && DefinitionText.isName(type, allowUppercase: false)
    }

    public static func isValidStepID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Steps in a definition's JSON, counting those inside branches, without
    /// parsing it (the stores keep it beside the definition).
    public static func stepCount(_ definition: JSONValue) -> Int {
        func count(_ steps: [JSONValue]?) -> Int {
            (steps ?? []).reduce(0) { total, step in
                total + 1 + count(step["then"]?.arrayValue) + count(step["otherwise"]?.arrayValue)
            }
        }
        return count(definition["steps"]?.arrayValue)
    }
}

/// Two passes over the steps: the structure of every step (ids, types,
/// branch arrays, the count), then each type's fields.
private struct StepWalk {
    let strictness: DefinitionStrictness
    var seen = Set<String>()
    var count = 0

    init(strictness: DefinitionStrictness) {
        self.strictness = strictness
    }

    mutating func checkStructure(_ steps: [JSONValue], path: String) throws(DefinitionError) {
        for (index, step) in steps.enumerated() {
            let here = "\(path)[\(index)]"
            guard let object = step.objectValue else { throw DefinitionError("\(here) must be an object") }
            count += 1
            guard let id = object["id"]?.stringValue else { throw DefinitionError("\(here): field \"id\" is required") }
            guard AutomationDefinition.isValidStepID(id) else {
                throw DefinitionError("\(here): field \"id\" must match [a-z0-9_-]{1,64}")
            }
            guard seen.insert(id).inserted else { throw DefinitionError("step \"\(id)\": field \"id\" is used twice") }
            let type = try Self.type(of: object, id: id)
            if type == .condition {
                for branch in ["then", "otherwise"] {
                    switch object[branch] {
                    case nil, .null?: continue
                    case .array(let nested)?: try checkStructure(nested, path: "\(id).\(branch)")
                    default: throw DefinitionError("step \"\(id)\": field \"\(branch)\" must be an array of steps")
                    }
                }
            }
        }
    }

    /// Parses steps whose structure was checked.
    func parse(_ steps: [JSONValue]) throws(DefinitionError) -> [AutomationStep] {
        var parsed: [AutomationStep] = []
        for step in steps {
            guard let object = step.objectValue, let id = object["id"]?.stringValue else {
                throw DefinitionError("definition has a step without an id")
            }
            var typed = try AutomationStep.parse(object, id: id, type: try Self.type(of: object, id: id), strictness: strictness)
            if case .condition(var condition) = typed.kind {
                condition.then = try parse(object["then"]?.arrayValue ?? [])
                condition.otherwise = try parse(object["otherwise"]?.arrayValue ?? [])
                typed.kind = .condition(condition)
            }
            parsed.append(typed)
        }
        return parsed
    }

    static func type(of object: JSONObject, id: String) throws(DefinitionError) -> StepType {
        guard let name = object["type"]?.stringValue else { throw DefinitionError("step \"\(id)\": field \"type\" is required") }
        guard let type = StepType(rawValue: name) else {
            let hint = NearestName.find(name, among: StepType.allCases.map(\.rawValue)).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw DefinitionError(
                "step \"\(id)\": field \"type\" must be one of: \(StepType.allCases.map(\.rawValue).sorted().joined(separator: ", "))\(hint)"
            )
        }
        return type
    }
}
