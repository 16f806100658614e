import PostgresNIO

/// A statement as the PostgreSQL store builds it: text, values, and the
/// values' types.
struct PostgresStatement: Sendable {
    let sql: String
    let bindings: PostgresBindings
    let types: [PostgresDataType]
}

/// A statement the workers run for every execution, prepared once per
/// connection instead of parsed and planned at every run: a drain's
/// PostgreSQL backends spent about 45 % of the machine's CPU parsing,
/// analysing and planning the claim's and the step writes' CTEs, and 12 %
/// running them. `template` is the statement built once with placeholder
/// values; a statement whose text differs from it is sent unprepared, as
/// any other query (the text depends only on which fragments a build
/// takes, never on the values, so that does not happen).
protocol PostgresPreparedText: Sendable {
    /// The name the statement is prepared under on each connection: short,
    /// as PostgreSQL cuts names at 63 bytes.
    static var name: String { get }
    static var template: PostgresStatement { get }
}

/// `Text`'s statement with one build's values, for `PostgresClient.execute`.
struct PostgresPreparedQuery<Text: PostgresPreparedText>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { Text.name }
    static var sql: String { Text.template.sql }
    /// Declared rather than left to the server: a parameter PostgreSQL
    /// would infer from context (a value in a `SELECT` list is text) must
    /// have the type every build binds.
    static var bindingDataTypes: [PostgresDataType] { Text.template.types }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresClient {
    /// The rows of `statement`, prepared as `text` on the connection it runs on.
    func rows<Text: PostgresPreparedText>(
        _ statement: PostgresStatement, preparedAs text: Text.Type, logger: Logger
    ) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        guard statement.sql == Text.template.sql, statement.types == Text.template.types else {
            assertionFailure("\(Text.name) was built with another text than its template")
            for try await row in try await query(PostgresQuery(unsafeSQL: statement.sql, binds: statement.bindings), logger: logger) {
                rows.append(row.makeRandomAccess())
            }
            return rows
        }
        for try await row in try await execute(PostgresPreparedQuery<Text>(bindings: statement.bindings), logger: logger) {
            rows.append(row.makeRandomAccess())
        }
        return rows
    }
}

extension PostgresStatement {
    /// Unprepared, as any other query (inside a transaction's connection).
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
