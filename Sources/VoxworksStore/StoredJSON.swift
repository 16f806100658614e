import VoxworksCore

/// JSON read back from a column. Text that no longer parses is corrupt data:
/// it is reported with its table and row, never read as empty or absent.
enum StoredJSON {
    static func parse(_ text: String?, table: String, id: String, column: String) throws(StoreError) -> JSONValue? {
        guard let text else { return nil }
        do {
            return try JSONParser().parse(text)
        } catch {
            throw StoreError.corrupt(table: table, id: id, detail: "\(column) is not valid JSON")
        }
    }

    /// A column that must hold a JSON object (a saved context).
    static func object(_ text: String?, table: String, id: String, column: String) throws(StoreError) -> JSONObject? {
        guard let value = try parse(text, table: table, id: id, column: column) else { return nil }
        guard let object = value.objectValue else {
            throw StoreError.corrupt(table: table, id: id, detail: "\(column) is not a JSON object")
        }
        return object
    }
}
