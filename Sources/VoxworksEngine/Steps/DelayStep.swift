import VoxworksCore

/// `delay`: parks the execution (no worker held) until a time; durable
/// because the wake time is a column of the execution, not a timer.
struct DelayStep: StepRunner {
    let clock: @Sendable () -> Timestamp

    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        if step.resuming {
            return .done(output: step.previousOutput ?? .object([:]))
        }
        let now = clock()
        let until: Timestamp
        if let seconds = step.definition["seconds"].map({ Template.render($0, in: context) }), !seconds.isNull {
            guard let value = seconds.doubleValue ?? seconds.stringValue.flatMap(Double.init), value >= 0 else {
                throw StepFailure("delay seconds must be a number of seconds, got \(seconds.serialized)")
            }
            until = now.adding(seconds: value)
        } else if let text = step.definition["until"].map({ Template.render($0, in: context) })?.stringValue {
            guard let time = Timestamp(rfc3339: text) else {
                throw StepFailure("delay until must be an RFC 3339 time, got \"\(text)\"")
            }
            until = time
        } else {
            throw StepFailure("a delay needs seconds or until")
        }
        let output: JSONValue = .object(["until": .string(until.rfc3339)])
        guard until > now else { return .done(output: output) }
        return .wait(.delay, until: until, output: output)
    }
}
