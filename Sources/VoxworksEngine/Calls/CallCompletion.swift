import Foundation
import Logging
import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// What happens when a call ends, whoever placed it: the call is recorded,
/// the execution waiting for it wakes, and the team's `call_completed`
/// automations whose filters match fire with the call in their context.
public struct CallCompletion: Sendable {
    let store: any ExecutionStore
    let workSignal: WorkSignal
    let clock: @Sendable () -> Timestamp
    let logger: Logger

    public init(store: any ExecutionStore, workSignal: WorkSignal, clock: @escaping @Sendable () -> Timestamp, logger: Logger) {
        self.store = store
        self.workSignal = workSignal
        self.clock = clock
        self.logger = logger
    }

    public func finish(_ call: Call) async throws {
        let now = clock()
        try await store.finishCall(call, now: now)
        let contact = try await call.contactID.asyncMap { try await store.contact(id: $0, teamID: call.teamID) } ?? nil
        let linked = try await Self.linkedObject(of: call, in: store)
        for automation in try await store.callTriggeredAutomations(teamID: call.teamID) {
            let trigger: AutomationTrigger
            do {
                trigger = try AutomationDefinition(parsing: automation.definition, strictness: .lenient).trigger
            } catch {
                logger.error(
                    "call_completed automation skipped: its definition cannot run",
                    metadata: ["automation_id": "\(automation.id.lowercased)", "error": "\(error.message)"])
                continue
            }
            guard Self.matches(trigger, call) else { continue }
            let payload: JSONValue = .object([
                "call_id": .string(call.id.lowercased),
                "call_type": .string(call.type),
                "call_status": .string(call.reportedStatus),
                "contact_name": contact?.fullName.json ?? .null,
                "phone_user": .string(call.toNumber),
                "actual_time": call.startedAt?.rfc3339.json ?? .null,
                "script_id": .string(call.scriptID),
            ])
            var context = ExecutionContext(trigger: payload)
            context.set(call.contextJSON, at: "call")
            if let contact { context.set(contact.json, at: "contact") }
            if let linked { context.set(linked.data, at: "objects.\(linked.type)") }
            try await store.insertExecution(
                NewExecution(
                    id: .v7(now: now), teamID: call.teamID, automationID: automation.id, body: payload.serializedBytes,
                    context: context.root, triggerType: "call_completed", receivedAt: now))
            logger.info(
                "call_completed automation fired",
                metadata: ["automation_id": "\(automation.id.lowercased)", "call_id": "\(call.id.lowercased)"])
        }
        workSignal.signal()
    }

    /// The data of the object the call was created with, as it is now, for
    /// `objects.<type>.*`; nil when there is none or it is gone.
    static func linkedObject(of call: Call, in store: any ExecutionStore) async throws -> (type: String, data: JSONValue)? {
        guard let link = call.object, let data = try await store.objectData(id: link.id, teamID: call.teamID) else { return nil }
        return (link.type, data)
    }

    /// Optional filters `script_ids` and `statuses` (the call's reported status).
    static func matches(_ trigger: AutomationTrigger, _ call: Call) -> Bool {
        guard case .callCompleted(let scripts, let statuses) = trigger else { return false }
        if let scripts, !scripts.isEmpty, !scripts.contains(call.scriptID) { return false }
        if let statuses, !statuses.isEmpty, !statuses.contains(call.reportedStatus) { return false }
        return true
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
