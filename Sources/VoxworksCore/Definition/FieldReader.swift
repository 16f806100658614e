/// Reads the fields of one object of a definition (a step, a mapping, a
/// call's object), remembering which it read, so that what is left is an
/// unknown field. Its messages name the step and the field:
/// `step "crm": field "method" must be one of: …`.
struct FieldReader {
    let id: String
    let object: JSONObject
    /// Names the enclosing field when `object` is nested (`object.`, `mappings[1].`).
    let prefix: String
    private(set) var read: Set<String> = []

    init(id: String, object: JSONObject, prefix: String = "") {
        self.id = id
        self.object = object
        self.prefix = prefix
    }

    func fail(_ field: String, _ text: String) -> DefinitionError {
        DefinitionError("step \"\(id)\": field \"\(prefix)\(field)\" \(text)")
    }

    /// The member as written (`null` included), marked as known.
    mutating func raw(_ key: String) -> JSONValue? {
        read.insert(key)
        return object[key]
    }

    /// The member, or nil when it is absent or `null`; marked as known.
    mutating func present(_ key: String) -> JSONValue? {
        if case .null? = raw(key) { return nil }
        return object[key]
    }

    /// Marks fields as known without reading them (`id`, `type`, branches read elsewhere).
    mutating func known(_ keys: String...) {
        read.formUnion(keys)
    }

    /// Refuses a field that was never read, with the nearest known name.
    func finish(_ strictness: DefinitionStrictness) throws(DefinitionError) {
        guard strictness == .strict else { return }
        try UnknownFields.check(object, known: read, owner: "step \"\(id)\"", prefix: prefix)
    }

    /// A required context path (a transform's `source`, a condition's `field`).
    func path(_ value: JSONValue?, field: String) throws(DefinitionError) -> String {
        guard let value, !value.isNull else { throw fail(field, "is required") }
        guard case .string(let path) = value else { throw fail(field, "must be a context path string") }
        guard ExecutionContext.isValidPath(path) else {
            throw fail(field, "must be a context path starting with \(Self.rootList) (got \(value.serialized))")
        }
        return path
    }

    /// Every template in `value` must name a valid context path.
    func templates(_ value: JSONValue, field: String) throws(DefinitionError) {
        switch value {
        case .string:
            for path in Template.paths(in: value) where !ExecutionContext.isValidPath(path) {
                throw fail(field, "refers to \"{{\(path)}}\", which is not a context path (paths start with \(Self.rootList))")
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() { try templates(element, field: "\(field)[\(index)]") }
        case .object(let object):
            for member in object { try templates(member.value, field: "\(field).\(member.key)") }
        case .null, .bool, .number:
            break
        }
    }

    static let rootList = "trigger, contact, objects, mapped, source or call"
}

/// The one rule for fields a definition does not know, wherever they are.
enum UnknownFields {
    /// `owner` names where the object sits (`step "crm"`, `definition.trigger`).
    static func check(_ object: JSONObject, known: Set<String>, owner: String, prefix: String = "") throws(DefinitionError) {
        for key in object.keys where !known.contains(key) {
            let hint =
                NearestName.find(key, among: known.sorted()).map { "did you mean \"\($0)\"?" }
                ?? "known fields: \(known.sorted().joined(separator: ", "))"
            throw DefinitionError("\(owner): unknown field \"\(prefix)\(key)\" (\(hint))")
        }
    }
}
