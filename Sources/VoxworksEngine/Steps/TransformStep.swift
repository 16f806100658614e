import VoxworksCore

/// `transform`: reads context paths, applies an optional transform, writes `mapped.<target>`.
struct TransformStep: StepRunner {
    var effects: StepEffects { .none }

    func run(_ spec: TransformSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        var written = JSONObject()
        for mapping in spec.mappings {
            var value = context.value(at: mapping.source) ?? .null
            if let transform = mapping.transform {
                do {
                    value = try transform.apply(value)
                } catch {
                    throw StepFailure("mapping \(mapping.source) → \(mapping.target): \(error.message)", retryable: false)
                }
            }
            context.set(value, at: "mapped.\(mapping.target)")
            written[mapping.target] = value
        }
        return .done(output: .object(written))
    }
}
