/// One step of a definition, parsed: its id and its type's spec, with
/// every default resolved. Adding a step type is one case here, one spec,
/// and one runner; the compiler then finds every `switch` that must handle it.
public struct AutomationStep: Sendable {
    public var id: String
    public internal(set) var kind: Kind
    /// The step as written, templates unresolved: what the step log shows
    /// (resolved) as the step's input. Runners read `kind`, never this.
    public var written: JSONObject

    public enum Kind: Sendable {
        case transform(TransformSpec)
        case condition(ConditionSpec)
        case upsertContact(UpsertContactSpec)
        case upsertObject(UpsertObjectSpec)
        case httpRequest(HTTPRequestSpec)
        case createCall(CreateCallSpec)
        case delay(DelaySpec)
    }

    /// The step's type, kept beside `kind` (which never changes case once
    /// parsed): reading it is a load, not a `switch` (see `branches`).
    public let type: StepType

    public init(id: String, kind: Kind, written: JSONObject) {
        self.id = id
        self.kind = kind
        self.written = written
        type =
            switch kind {
            case .transform: .transform
            case .condition: .condition
            case .upsertContact: .upsertContact
            case .upsertObject: .upsertObject
            case .httpRequest: .httpRequest
            case .createCall: .createCall
            case .delay: .delay
            }
    }

    /// A condition's branches (`then`, `otherwise`); empty for every other type.
    /// Never inlined: a `switch` on `kind` inlined into the runner's async
    /// walk over the steps crashed the Swift 6.3.1 optimizer (CopyPropagation,
    /// an ownership verifier failure) in release builds.
    @inline(never)
    public var branches: (then: [AutomationStep], otherwise: [AutomationStep]) {
        guard case .condition(let condition) = kind else { return ([], []) }
        return (condition.then, condition.otherwise)
    }

    /// Parses the fields of one step whose id and type are known. A
    /// condition's branches are parsed by the caller (they count towards
    /// the definition's step limit and share its ids).
    static func parse(
        _ object: JSONObject, id: String, type: StepType, strictness: DefinitionStrictness
    ) throws(DefinitionError) -> AutomationStep {
        var reader = FieldReader(id: id, object: object)
        reader.known("id", "type")
        let kind: Kind
        switch type {
        case .transform: kind = .transform(try TransformSpec(reading: &reader, strictness: strictness))
        case .condition: kind = .condition(try ConditionSpec(reading: &reader))
        case .upsertContact: kind = .upsertContact(try UpsertContactSpec(reading: &reader, strictness: strictness))
        case .upsertObject: kind = .upsertObject(try UpsertObjectSpec(reading: &reader))
        case .httpRequest: kind = .httpRequest(try HTTPRequestSpec(reading: &reader))
        case .createCall: kind = .createCall(try CreateCallSpec(reading: &reader, strictness: strictness))
        case .delay: kind = .delay(try DelaySpec(reading: &reader))
        }
        try reader.finish(strictness)
        return AutomationStep(id: id, kind: kind, written: object)
    }
}
