import Foundation
import VoxworksCore
import VoxworksStore

/// One step about to run: its parsed definition and where it runs.
public struct StepInvocation: Sendable {
    public var step: AutomationStep
    public var execution: Execution
    /// True when the step already started and its execution resumes after a wait.
    public var resuming: Bool
    /// The step's own output recorded before the wait (a call id, a wake time).
    public var previousOutput: JSONValue?
    /// For a runner whose effects are `.inStoreTransaction`: the lines its
    /// store write must carry (this step's start and any before it).
    public var leadingLog: LeadingStepLog?

    public var id: String { step.id }
}

/// What a step did.
public enum StepResult: Sendable {
    /// Finished; `branch` is a condition's result; `attempt` is the HTTP
    /// attempt that succeeded, for the step's attempt log.
    case done(output: JSONValue, branch: Bool? = nil, attempt: StepAttempt? = nil)
    /// Parks the execution without a worker (a delay, or a call to finish).
    case wait(WaitReason, until: Timestamp?, output: JSONValue)
    /// Did not run (its destination's circuit is open, or it has too many
    /// requests in flight): the execution goes back to the queue until
    /// `until`, holding no worker and spending no attempt. `message` is the
    /// step log's text.
    case deferred(WaitReason, until: Timestamp, message: String)
}

/// Whether running a step can be seen outside its execution, and so when
/// its start line must be durable.
public enum StepEffects: Sendable {
    /// Nothing outside the execution (a transform, a condition): the start
    /// line is written with the step's end, no commit before it.
    case none
    /// A request sent or a call placed: everything logged so far is
    /// committed before the step acts.
    case afterCommit
    /// The effect is one store transaction (an upsert) that writes the
    /// leading lines first: the start line goes with the effect.
    case inStoreTransaction
}

/// The runner of one step type: it receives that type's parsed spec, reads
/// and writes the context, and throws `StepFailure` (retryable or not)
/// when it cannot do its work.
public protocol StepRunner: Sendable {
    associatedtype Spec: Sendable
    func run(_ spec: Spec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult
    var effects: StepEffects { get }
}

extension StepRunner {
    public var effects: StepEffects { .afterCommit }
}

/// One runner per step type, and the one exhaustive `switch` that hands each
/// step its typed spec: a new step type does not compile until it has a runner.
public struct StepRunners: Sendable {
    var transform: TransformStep
    var condition: ConditionStep
    var upsertContact: UpsertContactStep
    var upsertObject: UpsertObjectStep
    var httpRequest: HTTPRequestStep
    var createCall: CreateCallStep
    var delay: DelayStep

    func run(_ invocation: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        switch invocation.step.kind {
        case .transform(let spec): try await transform.run(spec, invocation, context: &context)
        case .condition(let spec): try await condition.run(spec, invocation, context: &context)
        case .upsertContact(let spec): try await upsertContact.run(spec, invocation, context: &context)
        case .upsertObject(let spec): try await upsertObject.run(spec, invocation, context: &context)
        case .httpRequest(let spec): try await httpRequest.run(spec, invocation, context: &context)
        case .createCall(let spec): try await createCall.run(spec, invocation, context: &context)
        case .delay(let spec): try await delay.run(spec, invocation, context: &context)
        }
    }

    func effects(of type: StepType) -> StepEffects {
        switch type {
        case .transform: transform.effects
        case .condition: condition.effects
        case .upsertContact: upsertContact.effects
        case .upsertObject: upsertObject.effects
        case .httpRequest: httpRequest.effects
        case .createCall: createCall.effects
        case .delay: delay.effects
        }
    }
}

/// The fields of a step that are templates, resolved: what the step log
/// shows as the step's input. Credentials in headers are redacted: the log
/// is kept for weeks and shown to everyone on the team.
func resolvedInput(_ step: StepInvocation, context: ExecutionContext) -> JSONValue {
    var object = step.step.written
    for key in ["id", "type", "then", "otherwise"] { object[key] = nil }
    guard case .object(var resolved) = Template.render(.object(object), in: context) else { return .object(object) }
    if case .object(let headers)? = resolved["headers"] {
        resolved["headers"] = .object(OutboundHeaders.redacted(headers))
    }
    return .object(resolved)
}

extension JSONObject {
    /// A string field, or nil when absent or null.
    func string(_ key: String) -> String? { self[key]?.stringValue }
}
