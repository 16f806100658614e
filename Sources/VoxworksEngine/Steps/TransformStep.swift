import VoxworksCore

/// `transform`: reads context paths, applies an optional transform, writes `mapped.<target>`.
struct TransformStep: StepRunner {
    var hasEffects: Bool { false }

    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        var written = JSONObject()
        for mapping in step.definition["mappings"]?.arrayValue ?? [] {
            guard let source = mapping["source"]?.stringValue, let target = mapping["target"]?.stringValue else {
                throw StepFailure("a mapping needs a source and a target")
            }
            var value = context.value(at: source) ?? .null
            if let transform = mapping["transform"]?.stringValue {
                let parsed: FieldTransform
                do {
                    parsed = try FieldTransform(parsing: transform)
                } catch {
                    throw StepFailure(error.message)
                }
                do {
                    value = try parsed.apply(value)
                } catch {
                    throw StepFailure("mapping \(source) → \(target): \(error.message)", retryable: false)
                }
            }
            context.set(value, at: "mapped.\(target)")
            written[target] = value
        }
        return .done(output: .object(written))
    }
}
