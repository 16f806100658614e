/// `transform`: copies context values into `mapped.<target>`, each through
/// an optional transform.
public struct TransformSpec: Sendable {
    public struct Mapping: Sendable {
        /// A context path.
        public var source: String
        /// `[a-zA-Z0-9_]+`: written to `mapped.<target>`.
        public var target: String
        public var transform: FieldTransform?
    }

    public var mappings: [Mapping]

    static let mappingFields: Set<String> = ["source", "target", "transform"]

    init(reading reader: inout FieldReader, strictness: DefinitionStrictness) throws(DefinitionError) {
        guard let value = reader.present("mappings") else { throw reader.fail("mappings", "is required") }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw reader.fail("mappings", "must be a non-empty array of {\"source\", \"target\"} mappings")
        }
        var mappings: [Mapping] = []
        for (index, element) in elements.enumerated() {
            let field = "mappings[\(index)]"
            guard case .object(let mapping) = element else {
                throw reader.fail(field, "must be an object with \"source\" and \"target\"")
            }
            let source = try reader.path(mapping["source"], field: "\(field).source")
            guard let target = mapping["target"], !target.isNull else { throw reader.fail("\(field).target", "is required") }
            guard case .string(let name) = target, DefinitionText.isName(name, allowUppercase: true) else {
                throw reader.fail("\(field).target", "must match [a-zA-Z0-9_]+")
            }
            var transform: FieldTransform?
            if let value = mapping["transform"], !value.isNull {
                guard case .string(let text) = value else { throw reader.fail("\(field).transform", "must be a string") }
                do {
                    transform = try FieldTransform(parsing: text)
                } catch {
                    throw reader.fail("\(field).transform", "is invalid: \(error.message)")
                }
            }
            if strictness == .strict {
                try UnknownFields.check(mapping, known: Self.mappingFields, owner: "step \"\(reader.id)\"", prefix: "\(field).")
            }
            mappings.append(Mapping(source: source, target: name, transform: transform))
        }
        self.mappings = mappings
    }
}
