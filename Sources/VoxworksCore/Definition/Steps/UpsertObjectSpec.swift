/// `upsert_object` (and a call's linked object): a typed JSON record
/// mirroring a CRM item, keyed by a key path into its data.
public struct UpsertObjectSpec: Sendable {
    /// `[a-z0-9_]{1,64}`.
    public var objectType: String
    /// An object; its strings are templates (unresolved).
    public var data: JSONValue
    /// `$.id`-style path to the key; nil: the default paths (`ObjectKey.defaultPaths`).
    public var keyPath: String?

    static let fields: Set<String> = ["object_type", "data", "key_path"]

    init(reading reader: inout FieldReader) throws(DefinitionError) {
        guard let typeValue = reader.present("object_type") else { throw reader.fail("object_type", "is required") }
        guard case .string(let objectType) = typeValue, AutomationDefinition.isValidObjectType(objectType) else {
            throw reader.fail("object_type", "must match [a-z0-9_]{1,64}")
        }
        self.objectType = objectType
        guard let data = reader.present("data") else { throw reader.fail("data", "is required") }
        guard case .object = data else { throw reader.fail("data", "must be an object") }
        try reader.templates(data, field: "data")
        self.data = data
        if let value = reader.present("key_path") {
            guard case .string(let text) = value, DefinitionText.isKeyPath(text) else {
                throw reader.fail("key_path", "must be a JSON path starting with \"$.\", such as \"$.id\"")
            }
            keyPath = text
        }
    }
}
