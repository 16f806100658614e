import Foundation
import VoxworksCore
import VoxworksStore

/// One step about to run: its definition and where it runs.
public struct StepInvocation: Sendable {
    public var id: String
    public var type: String
    /// The step's definition as written (templates unresolved).
    public var definition: JSONObject
    public var execution: Execution
    /// True when the step already started and its execution resumes after a wait.
    public var resuming: Bool
    /// The step's own output recorded before the wait (a call id, a wake time).
    public var previousOutput: JSONValue?
    /// For a runner with `writesStepLogWithEffect`: the lines its store
    /// write must carry (this step's start and any before it).
    public var leadingLog: LeadingStepLog?
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

/// One runner per step type. A runner reads and writes the context and
/// throws `StepFailure` (retryable or not) when it cannot do its work.
public protocol StepRunner: Sendable {
    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult
    /// Whether running the step can be seen outside its execution (a record
    /// written, a request sent, a call placed). A step without effects needs
    /// no commit before it runs: its start line is written with its end.
    var hasEffects: Bool { get }
    /// Whether the step's effect is one store transaction that writes
    /// `StepInvocation.leadingLog` first (an upsert): its start line then
    /// goes with the effect instead of in a commit before it.
    var writesStepLogWithEffect: Bool { get }
}

extension StepRunner {
    public var hasEffects: Bool { true }
    public var writesStepLogWithEffect: Bool { false }
}

/// The fields of a step that are templates, resolved: what the step log
/// shows as the step's input. Credentials in headers are redacted: the log
/// is kept for weeks and shown to everyone on the team.
func resolvedInput(_ step: StepInvocation, context: ExecutionContext) -> JSONValue {
    var object = step.definition
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
