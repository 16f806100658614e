/// `condition`: compares a context field with a value and runs `then` or
/// `otherwise`; the branch not taken is logged as skipped.
public struct ConditionSpec: Sendable {
    /// A context path.
    public var field: String
    public var comparison: ConditionOperator
    /// The value compared with, templates unresolved; nil when absent.
    /// `null` is a value here: `equals null` is a meaningful test.
    public var value: JSONValue?
    public var then: [AutomationStep] = []
    public var otherwise: [AutomationStep] = []

    init(reading reader: inout FieldReader) throws(DefinitionError) {
        let written = reader.raw("field")
        field = try reader.path(written, field: "field")
        guard let operatorValue = reader.present("operator") else { throw reader.fail("operator", "is required") }
        guard case .string(let name) = operatorValue, let comparison = ConditionOperator(rawValue: name) else {
            throw reader.fail("operator", "must be one of: \(ConditionOperator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.comparison = comparison
        value = reader.raw("value")
        if comparison.needsValue {
            guard let value else { throw reader.fail("value", "is required for operator \"\(name)\"") }
            try reader.templates(value, field: "value")
        }
        for branch in ["then", "otherwise"] {
            if let value = reader.present(branch), value.arrayValue == nil {
                throw reader.fail(branch, "must be an array of steps")
            }
        }
    }
}
