/// What a store throws besides its driver's errors; shared by SQLite and PostgreSQL.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// A stored value that cannot be decoded. The one rule for corrupt data:
    /// say which table and row, and never carry on with a guess (an empty
    /// definition would "complete" an execution with zero steps).
    case corrupt(table: String, id: String, detail: String)
    /// The database answered what it never should (a write that returned no row).
    case inconsistent(String)
    /// A write after `close()`.
    case closed

    public var description: String {
        switch self {
        case .corrupt(let table, let id, let detail): "store data is corrupt: \(table) \(id): \(detail)"
        case .inconsistent(let what): "store answered inconsistently: \(what)"
        case .closed: "the store is closed"
        }
    }
}
