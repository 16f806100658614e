import VoxworksCore

/// `condition`: compares a context field with a value; the runner then takes
/// `then` or `otherwise` and logs the other branch's steps as skipped.
struct ConditionStep: StepRunner {
    var effects: StepEffects { .none }

    func run(_ spec: ConditionSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        let actual = context.value(at: spec.field)
        let expected = spec.value.map { Template.render($0, in: context) }
        let result = spec.comparison.evaluate(actual, expected)
        return .done(
            output: .object(["result": .bool(result), "field_value": actual ?? .null, "branch": result ? "then" : "otherwise"]),
            branch: result)
    }
}
