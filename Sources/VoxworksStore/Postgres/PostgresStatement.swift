import PostgresNIO
import Synchronization

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
/// takes, never on the values: `PostgresStatementTests` checks it).
protocol PostgresPreparedText: Sendable {
    /// The name the statement is prepared under on each connection: short,
    /// as PostgreSQL cuts names at 63 bytes.
    static var name: String { get }
    static var template: PostgresStatement { get }
}

/// `Text`'s statement with one build's values, for `PostgresClient.execute`.
struct PostgresPreparedQuery<Text: PostgresPreparedText>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { PreparedStatementNames.current(Text.name) }
    static var sql: String { Text.template.sql }
    /// Declared rather than left to the server: a parameter PostgreSQL
    /// would infer from context (a value in a `SELECT` list is text) must
    /// have the type every build binds.
    static var bindingDataTypes: [PostgresDataType] { Text.template.types }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// The name each statement is currently prepared under. A connection
/// keeps a statement whose preparation failed failed for as long as it
/// lives (postgres-nio caches the error), and the server keeps a prepared
/// statement broken once a migration changed a column it returns (`cached
/// plan must not change result type`). After such an error the statement
/// gets a new name, so every connection prepares it again at its next use.
enum PreparedStatementNames {
    private static let renewals = Mutex<[String: Int]>([:])

    static func current(_ name: String) -> String {
        let renewal = renewals.withLock { $0[name] ?? 0 }
        return renewal == 0 ? name : "\(name)_\(renewal)"
    }

    /// After a server error other than one about the data (class 23,
    /// integrity) or the transaction (class 40, serialization and
    /// deadlocks), which say nothing about the statement.
    static func renew(_ name: String, after error: PSQLError) {
        let state = error.serverInfo?[.sqlState] ?? ""
        guard error.code == .server, !state.hasPrefix("23"), !state.hasPrefix("40") else { return }
        renewals.withLock { $0[name, default: 0] += 1 }
    }
}

extension PostgresClient {
    /// The rows of `statement`, prepared as `text` on the connection it runs on.
    func rows<Text: PostgresPreparedText>(
        _ statement: PostgresStatement, preparedAs text: Text.Type, logger: Logger
    ) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        guard statement.sql == Text.template.sql, statement.types == Text.template.types else {
            for try await row in try await query(statement.query, logger: logger) { rows.append(row.makeRandomAccess()) }
            return rows
        }
        do {
            for try await row in try await execute(PostgresPreparedQuery<Text>(bindings: statement.bindings), logger: logger) {
                rows.append(row.makeRandomAccess())
            }
        } catch let error as PSQLError {
            PreparedStatementNames.renew(Text.name, after: error)
            throw error
        }
        return rows
    }
}

extension PostgresStatement {
    /// Unprepared, as any other query (inside a transaction's connection).
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
