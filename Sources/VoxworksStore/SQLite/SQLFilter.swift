import GRDB

/// The WHERE clause of a list query, built from the filters a request
/// set, with named arguments (never string-interpolated values).
struct SQLFilter {
    private var conditions: [String] = []
    private(set) var arguments: [String: (any DatabaseValueConvertible)?] = [:]

    init(_ condition: String, _ arguments: [String: (any DatabaseValueConvertible)?]) {
        conditions = [condition]
        self.arguments = arguments
    }

    /// Adds `condition` (which names `:name`) when `value` is set.
    mutating func add(_ condition: String, _ name: String, _ value: (any DatabaseValueConvertible)?) {
        guard let value else { return }
        conditions.append(condition)
        arguments[name] = value
    }

    var clause: String { conditions.joined(separator: " AND ") }
    var statementArguments: StatementArguments { StatementArguments(arguments) }
}
