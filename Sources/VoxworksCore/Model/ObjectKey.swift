/// How a typed object (a CRM item) is identified: a key path into its data.
public enum ObjectKey {
    /// Tried in order when no key path is given (docs/automations.md, `upsert_object`).
    public static let defaultPaths = ["$.external_ids.rex.property_id", "$.id"]

    /// The first path that yields a non-empty string or a number, with that key.
    public static func find(in data: JSONValue, paths: [String]) -> (path: String, key: String)? {
        for path in paths where path.hasPrefix("$.") {
            var value: JSONValue? = data
            for part in path.dropFirst(2).split(separator: ".") {
                value = value?[String(part)]
            }
            switch value {
            case .string(let text)? where !text.isEmpty: return (path, text)
            case .number(let literal)?: return (path, literal)
            default: continue
            }
        }
        return nil
    }
}
