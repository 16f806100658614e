/// `upsert_contact`: finds the team's contact by phone number or email,
/// creates or updates it, and sets `contact.*`.
public struct UpsertContactSpec: Sendable {
    /// The field contacts are matched on.
    public enum MatchOn: String, Sendable, CaseIterable {
        case phoneNumber = "phone_number"
        case email
    }

    public static let contactFields = ["phone_number", "first_name", "last_name", "email", "address", "location", "title"]

    public var matchOn: MatchOn
    /// Contact field name → text or template (unresolved); only names of `contactFields`.
    public var fields: JSONObject

    init(reading reader: inout FieldReader, strictness: DefinitionStrictness) throws(DefinitionError) {
        matchOn = .phoneNumber
        if let value = reader.present("match_on") {
            guard case .string(let name) = value, let match = MatchOn(rawValue: name) else {
                throw reader.fail("match_on", "must be \"phone_number\" or \"email\"")
            }
            matchOn = match
        }
        guard let value = reader.present("fields") else { throw reader.fail("fields", "is required") }
        guard case .object(let fields) = value else { throw reader.fail("fields", "must be an object") }
        for member in fields {
            let field = "fields.\(member.key)"
            guard Self.contactFields.contains(member.key) else {
                let hint = NearestName.find(member.key, among: Self.contactFields).map { "did you mean \"fields.\($0)\"? " } ?? ""
                throw reader.fail(field, "is not a contact field (\(hint)allowed: \(Self.contactFields.joined(separator: ", ")))")
            }
            switch member.value {
            case .null: continue
            case .string: try reader.templates(member.value, field: field)
            default: throw reader.fail(field, "must be a string (text or a template such as \"{{trigger.\(member.key)}}\")")
            }
        }
        guard let matched = fields[matchOn.rawValue], !matched.isNull else {
            throw reader.fail("fields", "must map \"\(matchOn.rawValue)\", the field contacts are matched on")
        }
        self.fields = fields
    }
}
