import VoxworksCore
import VoxworksStore
import VoxworksRuntime

import Foundation

/// Replay and cancel, shared by the API (`ExecutionsController`) and the
/// web console, so both follow the same rules. Refusals are `APIError`s.
struct ExecutionActions {
    let store: any ExecutionStore & AutomationStore
    let workSignal: WorkSignal
    let clock: @Sendable () -> Timestamp

    typealias ReplayStart = VoxworksStore.ReplayStart

    /// A new execution of the same payload. `start` runs every step again
    /// with the automation's current definition; `failedStep` keeps the steps
    /// that completed (and their context) and runs the rest. Returns its id:
    /// `id` when given (a bulk replay chooses it first, to find it again).
    func replay(_ original: Execution, from: ReplayStart, id: UUID? = nil) async throws -> UUID {
        guard try await store.automationDefinition(id: original.automationID) != nil else {
            throw APIError(.conflict, "The execution's automation was deleted")
        }
        let now = clock()
        var new = NewExecution(
            id: id ?? .v7(now: now), teamID: original.teamID, automationID: original.automationID, body: original.body,
            replayOf: original.id, receivedAt: now)
        if from == .failedStep {
            guard original.status == .failed || original.status == .deadLetter else {
                throw APIError(.conflict, "Only a failed or dead-lettered execution can be replayed from its failed step")
            }
            // The receiver may already have processed an attempt that timed
            // out on our side: the steps run again under the original's keys.
            new.stepKeysFrom = original.stepKeyPrefix
            new.context = try await store.savedContext(executionID: original.id)
            new.completedSteps = try await store.steps(executionID: original.id).filter(\.status.isDone)
        }
        try await store.insertExecution(new)
        workSignal.signal()
        return new.id
    }

    /// Cancels an execution that has not finished; the execution as it is now.
    func cancel(_ execution: Execution, teamID: UUID) async throws -> Execution {
        guard !execution.status.isFinal else {
            throw APIError(.conflict, "The execution already finished as \(execution.status.rawValue)")
        }
        guard let cancelled = try await store.cancelExecution(id: execution.id, teamID: teamID, now: clock()) else {
            throw APIError.notFound("Execution")
        }
        // It may have finished between the check above and the update.
        guard cancelled.status == .cancelled else {
            throw APIError(.conflict, "The execution already finished as \(cancelled.status.rawValue)")
        }
        return cancelled
    }
}
