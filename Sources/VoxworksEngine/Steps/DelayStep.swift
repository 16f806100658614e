import VoxworksCore

/// `delay`: parks the execution (no worker held) until a time; durable
/// because the wake time is a column of the execution, not a timer.
struct DelayStep: StepRunner {
    let clock: @Sendable () -> Timestamp

    func run(_ spec: DelaySpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        if step.resuming {
            return .done(output: step.previousOutput ?? .object([:]))
        }
        let now = clock()
        let until: Timestamp
        switch spec {
        case .seconds(let seconds):
            until = now.adding(seconds: seconds)
        case .until(let template):
            let rendered = Template.render(template, in: context)
            guard let text = rendered.stringValue, let time = Timestamp(rfc3339: text) else {
                let shown = Truncation.text(rendered.stringValue.map { "\"\($0)\"" } ?? rendered.serialized, maxBytes: 200)
                throw StepFailure("delay until must be an RFC 3339 time, got \(shown)")
            }
            until = time
        }
        let output: JSONValue = .object(["until": .string(until.rfc3339)])
        guard until > now else { return .done(output: output) }
        return .wait(.delay, until: until, output: output)
    }
}
