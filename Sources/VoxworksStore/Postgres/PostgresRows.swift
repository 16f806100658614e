import Foundation
import PostgresNIO
import VoxworksCore

/// Row decoding shared by the PostgreSQL store's files.
extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    func uuid(_ column: String) throws -> UUID {
        let text: String = try value(column)
        guard let id = UUID(uuidString: text) else { throw StoreError.corrupt(table: "row", id: text, detail: "\(column) is not a UUID") }
        return id
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        try value(column, as: String?.self).flatMap(UUID.init(uuidString:))
    }

    func timestamp(_ column: String) throws -> Timestamp { Timestamp(millis: try value(column)) }

    func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try value(column, as: Int64?.self).map(Timestamp.init(millis:))
    }

    /// A JSON column; text that does not parse is corrupt data of `table` row `id`.
    func json(_ column: String, table: String, id: String) throws -> JSONValue? {
        try StoredJSON.parse(try value(column, as: String?.self), table: table, id: id, column: column)
    }

    func bytes(_ column: String) throws -> [UInt8] { Array(try value(column, as: Data.self)) }
}

extension PostgresRowSequence {
    /// Every row, for random access by column name.
    func all() async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in self { rows.append(row.makeRandomAccess()) }
        return rows
    }

    func first() async throws -> PostgresRandomAccessRow? {
        for try await row in self { return row.makeRandomAccess() }
        return nil
    }
}

/// A dynamic WHERE clause with positional parameters, for the list queries.
struct PostgresFilter {
    private var conditions: [String] = []
    private var parameters = PostgresParameters()

    init(_ column: String, equals value: String) {
        add(column, "=", value)
    }

    /// Adds a condition without parameters, written out so that the
    /// planner can match it against a partial index's predicate.
    mutating func add(literal condition: String) {
        conditions.append(condition)
    }

    /// Adds `column op $n` when `value` is set.
    mutating func add(_ column: String, _ op: String, _ value: (some PostgresNonThrowingEncodable)?) {
        guard let value else { return }
        conditions.append("\(column) \(op) \(parameters.add(value))")
    }

    /// Binds a value the head of the query uses; answers its placeholder.
    mutating func bind(_ value: some PostgresNonThrowingEncodable) -> String {
        parameters.add(value)
    }

    var clause: String { conditions.joined(separator: " AND ") }

    func query(_ head: String, _ tail: String, limit: Int) -> PostgresQuery {
        var parameters = parameters
        let limit = parameters.add(limit)
        return parameters.query("\(head) WHERE \(clause) \(tail) LIMIT \(limit)")
    }
}

/// Positional parameters for a statement assembled from fragments: each
/// `add` binds a value and answers its placeholder (`$1`, `$2`, …), so a
/// fragment's SQL can be written once and used alone or inside a larger
/// statement (a turn's end with the worker's next claim). Each value's
/// type is kept, nil or not, so that a statement built once with
/// placeholder values can be prepared with the types of every later build.
struct PostgresParameters {
    private(set) var bindings = PostgresBindings()
    private(set) var types: [PostgresDataType] = []

    mutating func add<Value: PostgresNonThrowingEncodable>(_ value: Value?) -> String {
        bindings.append(value)
        types.append(Value.psqlType)
        return "$\(bindings.count)"
    }

    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    func statement(_ sql: String) -> PostgresStatement {
        PostgresStatement(sql: sql, bindings: bindings, types: types)
    }
}
