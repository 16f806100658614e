/// `create_call`: schedules a call to the contact (or to `to`), optionally
/// linked to an object, and by default waits for it to end.
public struct CreateCallSpec: Sendable {
    /// Non-empty string templates.
    public var scriptID: JSONValue
    public var fromNumber: JSONValue
    /// String templates; nil: the contact's number, and now.
    public var to: JSONValue?
    public var scheduledTime: JSONValue?
    public var waitForCompletion: Bool
    /// The object to link to the call (the fields of an `upsert_object` step).
    public var object: UpsertObjectSpec?

    init(reading reader: inout FieldReader, strictness: DefinitionStrictness) throws(DefinitionError) {
        func required(_ field: String, _ reader: inout FieldReader) throws(DefinitionError) -> JSONValue {
            guard let value = reader.present(field) else { throw reader.fail(field, "is required") }
            guard case .string(let text) = value, !text.isEmpty else { throw reader.fail(field, "must be a non-empty string") }
            try reader.templates(value, field: field)
            return value
        }
        func optional(_ field: String, _ reader: inout FieldReader) throws(DefinitionError) -> JSONValue? {
            guard let value = reader.present(field) else { return nil }
            guard case .string = value else { throw reader.fail(field, "must be a string") }
            try reader.templates(value, field: field)
            return value
        }
        scriptID = try required("script_id", &reader)
        fromNumber = try required("from_number", &reader)
        to = try optional("to", &reader)
        scheduledTime = try optional("scheduled_time", &reader)
        waitForCompletion = true
        if let wait = reader.present("wait_for_completion") {
            guard let flag = wait.boolValue else { throw reader.fail("wait_for_completion", "must be true or false") }
            waitForCompletion = flag
        }
        if let value = reader.present("object") {
            guard case .object(let fields) = value else {
                throw reader.fail("object", "must be an object with object_type, data and optionally key_path")
            }
            var nested = FieldReader(id: reader.id, object: fields, prefix: "object.")
            object = try UpsertObjectSpec(reading: &nested)
            try nested.finish(strictness)
        }
    }
}
