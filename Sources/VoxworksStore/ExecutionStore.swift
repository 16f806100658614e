import Foundation
import VoxworksCore

/// An execution a worker has claimed, with everything it needs to resume.
public struct ClaimedExecution: Sendable {
    public var execution: Execution
    /// The automation's definition as it was when the execution first ran;
    /// retries and resumptions use the same one. A failure when the
    /// execution's stored data cannot be read (its definition, context or
    /// step lines): the execution then fails with that error.
    public var definition: Result<AutomationDefinition, StoreError>
    /// The context saved after the last completed step (nil: start fresh).
    public var context: JSONObject?
    public var steps: [StepRecord]
    /// Set when the execution resumes after a delay or a call.
    public var resumedFrom: WaitReason?
    /// The webhook trigger's kind: `webhook` or `call_completed`.
    public var triggerType: String

    public init(
        execution: Execution, definition: Result<AutomationDefinition, StoreError>, context: JSONObject?, steps: [StepRecord],
        resumedFrom: WaitReason?, triggerType: String
    ) {
        self.execution = execution
        self.definition = definition
        self.context = context
        self.steps = steps
        self.resumedFrom = resumedFrom
        self.triggerType = triggerType
    }
}

/// A new execution not made by a webhook: a replay, or a `call_completed` trigger.
public struct NewExecution: Sendable {
    public var id: UUID
    public var teamID: UUID
    public var automationID: UUID
    public var body: [UInt8]
    public var replayOf: UUID?
    /// See `Execution.stepKeysFrom`.
    public var stepKeysFrom: UUID?
    /// Starting context and completed steps (replay from the failed step).
    public var context: JSONObject?
    public var completedSteps: [StepRecord]
    public var definition: JSONValue?
    public var triggerType: String
    public var receivedAt: Timestamp

    public init(
        id: UUID, teamID: UUID, automationID: UUID, body: [UInt8], replayOf: UUID? = nil, context: JSONObject? = nil,
        completedSteps: [StepRecord] = [], definition: JSONValue? = nil, triggerType: String = "webhook", receivedAt: Timestamp
    ) {
        self.id = id
        self.teamID = teamID
        self.automationID = automationID
        self.body = body
        self.replayOf = replayOf
        self.context = context
        self.completedSteps = completedSteps
        self.definition = definition
        self.triggerType = triggerType
        self.receivedAt = receivedAt
    }
}

/// How a worker's turn with an execution ended.
public enum ExecutionOutcome: Sendable, Equatable {
    case completed
    /// Not retryable: the execution is `failed`.
    case failed(String)
    /// Retryable: back to `pending` at `runAt`, or `dead_letter` when no attempts are left.
    case retry(error: String, runAt: Timestamp)
    case deadLetter(String)
    /// Parked without a worker until `until` (a delay) or until woken (a call).
    case wait(WaitReason, until: Timestamp?)
    /// Not run now, and no attempt spent: back to `pending` at `until`, with
    /// `reason` as its `wait_reason` so the next claim does not count an
    /// attempt. It queues with other pending work, never ahead of it.
    case deferred(WaitReason, until: Timestamp)
}

/// The engine's side of the store: the queue, the step log, and the
/// records steps create (contacts, objects, calls).
public protocol ExecutionStore: Sendable {
    /// Takes the next runnable execution (due pending ones, and waits that are
    /// due) and leases it to `worker` until `leaseUntil`.
    func claimExecution(worker: String, now: Timestamp, leaseUntil: Timestamp) async throws -> ClaimedExecution?
    /// Extends a lease; false when the worker no longer holds it (cancelled, or expired and taken).
    func extendLease(executionID: UUID, worker: String, until: Timestamp) async throws -> Bool
    /// Writes step-log lines, and with a finished step the context to resume from, in one transaction.
    /// False when the worker no longer holds the execution: it must stop.
    func recordSteps(executionID: UUID, worker: String, _ log: StepLogWrite) async throws -> Bool
    /// Records how the turn ended, with the step-log lines not yet written, in one transaction.
    /// A completed execution keeps no context: it has nothing left to resume.
    /// False (and nothing written) when the worker no longer holds the execution.
    @discardableResult
    func finishTurn(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?) async throws -> Bool
    /// `finishTurn`, then `claimExecution` for the same worker, in one transaction (one commit for both).
    /// The claim happens whether or not the worker still held the finished execution.
    func finishTurnAndClaim(
        executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp, steps: StepLogWrite?, leaseUntil: Timestamp
    ) async throws -> (held: Bool, next: ClaimedExecution?)
    /// Returns expired leases to `pending`; how many.
    func releaseExpiredLeases(now: Timestamp) async throws -> Int

    func insertExecution(_ new: NewExecution) async throws
    func steps(executionID: UUID) async throws -> [StepRecord]
    /// The context saved after the execution's last completed step.
    func savedContext(executionID: UUID) async throws -> JSONObject?
    func cancelExecution(id: UUID, teamID: UUID, now: Timestamp) async throws -> Execution?
    func automationDefinition(id: UUID) async throws -> (teamID: UUID, definition: JSONValue, enabled: Bool)?
    /// Enabled `call_completed` automations of a team.
    func callTriggeredAutomations(teamID: UUID) async throws -> [Automation]
    /// The last payload a webhook received, kept as its automation's sample.
    func sample(automationID: UUID, teamID: UUID) async throws -> (body: [UInt8], receivedAt: Timestamp)?

    // Records that steps create
    /// With `log`, its lines are written first in the same transaction (a
    /// step's start goes with its effect); throws `LeaseLost`, writing
    /// nothing, when its worker no longer holds the execution.
    func upsertContact(teamID: UUID, matchOnEmail: Bool, fields: ContactFields, now: Timestamp, log: LeadingStepLog?) async throws -> (
        contact: Contact, created: Bool
    )
    func contact(id: UUID, teamID: UUID) async throws -> Contact?
    /// `log` as in `upsertContact`.
    func upsertObject(teamID: UUID, type: String, key: String, data: JSONValue, now: Timestamp, log: LeadingStepLog?) async throws -> (
        object: JSONValue, created: Bool
    )
    func createCall(_ call: Call) async throws
    func call(id: UUID) async throws -> Call?
    /// The data of a team's object by id (a call's linked object), nil when gone.
    func objectData(id: UUID, teamID: UUID) async throws -> JSONValue?
    /// Scheduled calls whose time has come, oldest first.
    func dueCalls(now: Timestamp, limit: Int) async throws -> [Call]
    /// Records a call's end and wakes the execution waiting for it, in one transaction.
    func finishCall(_ call: Call, now: Timestamp) async throws
}

extension ExecutionStore {
    /// Writes one step-log line, and with a finished step the context to resume from.
    /// False when the worker no longer holds the execution: it must stop.
    public func recordStep(executionID: UUID, worker: String, record: StepRecord, context: JSONObject?, stepsCompleted: Int) async throws
        -> Bool
    {
        try await recordSteps(
            executionID: executionID, worker: worker, StepLogWrite(records: [record], context: context, stepsCompleted: stepsCompleted))
    }

    public func upsertContact(teamID: UUID, matchOnEmail: Bool, fields: ContactFields, now: Timestamp) async throws -> (
        contact: Contact, created: Bool
    ) {
        try await upsertContact(teamID: teamID, matchOnEmail: matchOnEmail, fields: fields, now: now, log: nil)
    }

    public func upsertObject(teamID: UUID, type: String, key: String, data: JSONValue, now: Timestamp) async throws -> (
        object: JSONValue, created: Bool
    ) {
        try await upsertObject(teamID: teamID, type: type, key: key, data: data, now: now, log: nil)
    }

    @discardableResult
    public func finishTurn(executionID: UUID, worker: String, outcome: ExecutionOutcome, now: Timestamp) async throws -> Bool {
        try await finishTurn(executionID: executionID, worker: worker, outcome: outcome, now: now, steps: nil)
    }
}

/// Step-log lines a step's effect writes ahead of itself, in its own
/// transaction, when that effect is a write to the store: the step's start
/// then needs no commit of its own, and the line and the effect are
/// durable together or not at all.
public struct LeadingStepLog: Sendable {
    public var executionID: UUID
    /// The worker that must still hold the execution.
    public var worker: String
    public var lines: StepLogWrite

    public init(executionID: UUID, worker: String, lines: StepLogWrite) {
        self.executionID = executionID
        self.worker = worker
        self.lines = lines
    }
}

/// The worker given with a `LeadingStepLog` no longer holds the execution
/// (cancelled, or its lease expired and another worker took it): nothing
/// was written.
public struct LeaseLost: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the worker no longer holds the execution" }
}

/// Step-log lines written together: each execution's writes wait for a
/// commit, so a finished step's line goes with the next step's start (or
/// with the turn's end) rather than in a commit of its own.
public struct StepLogWrite: Sendable {
    /// In the order they were made; a later line for the same step replaces an earlier one.
    public var records: [StepRecord]
    /// The context to resume from, saved with the last completed step among `records` (nil: unchanged).
    public var context: JSONObject?
    /// Steps completed so far; saved with the lines when there is a context, and always at a turn's end.
    public var stepsCompleted: Int

    public init(records: [StepRecord], context: JSONObject?, stepsCompleted: Int) {
        self.records = records
        self.context = context
        self.stepsCompleted = stepsCompleted
    }
}

/// What the public REST API reads and writes besides the engine's records.
public protocol DirectoryStore: Sendable {
    /// Inserts a contact; nil when the team already has one with this phone number.
    func insertContact(teamID: UUID, fields: ContactFields, now: Timestamp) async throws -> Contact?
    func contacts(teamID: UUID, query: ContactQuery) async throws -> [Contact]
    func calls(teamID: UUID, query: CallQuery) async throws -> [Call]
    func call(id: UUID, teamID: UUID) async throws -> Call?
    /// Cancels a still-scheduled call and wakes an execution waiting for it; the call as it is now.
    func cancelCall(id: UUID, teamID: UUID, now: Timestamp) async throws -> Call?
    /// Moves a still-scheduled call; the call as it is now.
    func rescheduleCall(id: UUID, teamID: UUID, to time: Timestamp) async throws -> Call?
    func createList(teamID: UUID, name: String, now: Timestamp) async throws -> ContactList
    func list(id: UUID, teamID: UUID) async throws -> ContactList?
    /// Adds contacts to a list once; returns how many were new to it.
    func addToList(listID: UUID, contactIDs: [UUID], now: Timestamp) async throws -> (added: Int, alreadyPresent: Int)
}

public struct ContactQuery: Sendable {
    public var phoneNumber: String?
    public var email: String?
    public var before: UUID?
    public var limit: Int

    public init(phoneNumber: String? = nil, email: String? = nil, before: UUID? = nil, limit: Int = 25) {
        self.phoneNumber = phoneNumber
        self.email = email
        self.before = before
        self.limit = limit
    }
}

public struct CallQuery: Sendable {
    public var status: String?
    public var type: String?
    public var progress: String?
    public var contactID: UUID?
    public var scriptID: String?
    public var createdAfter: Timestamp?
    public var createdBefore: Timestamp?
    public var before: UUID?
    public var limit: Int

    public init(
        status: String? = nil, type: String? = nil, progress: String? = nil, contactID: UUID? = nil, scriptID: String? = nil,
        createdAfter: Timestamp? = nil, createdBefore: Timestamp? = nil, before: UUID? = nil, limit: Int = 25
    ) {
        self.status = status
        self.type = type
        self.progress = progress
        self.contactID = contactID
        self.scriptID = scriptID
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.before = before
        self.limit = limit
    }
}

public struct ContactList: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var name: String
    public var contactCount: Int
    public var createdAt: Timestamp

    public init(id: UUID, teamID: UUID, name: String, contactCount: Int, createdAt: Timestamp) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.contactCount = contactCount
        self.createdAt = createdAt
    }
}
