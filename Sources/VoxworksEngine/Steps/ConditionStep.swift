import VoxworksCore

/// `condition`: compares a context field with a value; the runner then takes
/// `then` or `otherwise` and logs the other branch's steps as skipped.
struct ConditionStep: StepRunner {
    var hasEffects: Bool { false }

    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        guard let field = step.definition.string("field"),
              let name = step.definition.string("operator"), let op = ConditionOperator(rawValue: name)
        else { throw StepFailure("a condition needs a field and a known operator") }
        let actual = context.value(at: field)
        let expected = step.definition["value"].map { Template.render($0, in: context) }
        let result = op.evaluate(actual, expected)
        return .done(
            output: .object(["result": .bool(result), "field_value": actual ?? .null, "branch": result ? "then" : "otherwise"]),
            branch: result)
    }
}
