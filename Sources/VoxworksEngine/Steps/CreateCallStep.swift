import Foundation
import VoxworksCore
import VoxworksStore

/// `create_call`: stores a call for the contact and hands it to the call
/// provider; unless `wait_for_completion` is false the execution then waits
/// (no worker held) and resumes with `call.*` when the call ends.
struct CreateCallStep: StepRunner {
    let store: any ExecutionStore
    let provider: any CallProvider
    let defaultRegion: String
    let clock: @Sendable () -> Timestamp

    func run(_ spec: CreateCallSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        if step.resuming {
            return try await resume(step, context: &context)
        }
        func rendered(_ template: JSONValue?) -> String? { template.flatMap { Template.render($0, in: context).stringValue } }
        guard let scriptID = rendered(spec.scriptID), !scriptID.isEmpty else { throw StepFailure("script_id is empty") }
        guard let from = rendered(spec.fromNumber), !from.isEmpty else { throw StepFailure("from_number is empty") }
        let toText = rendered(spec.to) ?? context.value(at: "contact.phone_number")?.stringValue
        guard let toText, !toText.isEmpty else { throw StepFailure("no number to call: set \"to\" or upsert a contact first") }
        let to = try PhoneNumber.normalize(toText, defaultRegion: defaultRegion)
        let fromNumber = try PhoneNumber.normalize(from, defaultRegion: defaultRegion)
        let now = clock()
        var scheduled = now
        if let text = rendered(spec.scheduledTime), !text.isEmpty {
            guard let time = Timestamp(rfc3339: text) else { throw StepFailure("scheduled_time must be an RFC 3339 time, got \"\(text)\"") }
            scheduled = max(time, now)
        }
        // An object to link to the call (the fields of an upsert_object step):
        // checked before anything is written.
        var objectToLink: (type: String, key: String, data: JSONValue)?
        if let object = spec.object {
            let type = object.objectType
            let data = Template.render(object.data, in: context)
            guard data.objectValue != nil else { throw StepFailure("object.data must be an object") }
            let paths = object.keyPath.map { [$0] } ?? ObjectKey.defaultPaths
            guard let (_, key) = ObjectKey.find(in: data, paths: paths) else {
                throw StepFailure("no key for the call's object: \(paths.joined(separator: " and ")) are missing or empty in object.data")
            }
            objectToLink = (type, key, data)
        }
        let call: Call
        do {
            var link: Call.ObjectLink?
            if let objectToLink {
                let (stored, _) = try await store.upsertObject(
                    teamID: step.execution.teamID, type: objectToLink.type, key: objectToLink.key, data: objectToLink.data, now: now)
                if let id = stored["id"]?.stringValue.flatMap(UUID.init(canonical:)) {
                    link = Call.ObjectLink(id: id, type: objectToLink.type, key: objectToLink.key)
                }
            }
            var contactID = context.value(at: "contact.id")?.stringValue.flatMap(UUID.init(uuidString:))
            if contactID == nil || context.value(at: "contact.phone_number")?.stringValue != to {
                contactID = try await store.upsertContact(
                    teamID: step.execution.teamID, matchOnEmail: false, fields: ContactFields(phoneNumber: to), now: now
                ).contact.id
            }
            let identity = Call.newIdentity(now: now)
            call = Call(
                id: identity.id, teamID: step.execution.teamID, contactID: contactID, executionID: step.execution.id,
                stepID: step.id, fromNumber: fromNumber, toNumber: to, scriptID: scriptID, scheduledTime: scheduled,
                createdAt: identity.createdAt, object: link)
            try await store.createCall(call)
            try await provider.place(call)
        } catch {
            throw StepFailure("could not schedule the call: \(error)", retryable: true)
        }
        if let objectToLink { context.set(objectToLink.data, at: "objects.\(objectToLink.type)") }
        var fields: JSONObject = ["call_id": .string(call.id.lowercased), "scheduled_time": .string(scheduled.rfc3339), "to": .string(to)]
        if let link = call.object { fields["object"] = link.json }
        let output: JSONValue = .object(fields)
        if !spec.waitForCompletion {
            return .done(output: output)
        }
        return .wait(.call, until: nil, output: output)
    }

    private func resume(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        guard let id = step.previousOutput?["call_id"]?.stringValue.flatMap(UUID.init(uuidString:)) else {
            throw StepFailure("resumed without a call id")
        }
        let call: Call?
        do {
            call = try await store.call(id: id)
        } catch {
            throw StepFailure("could not read the call: \(error)", retryable: true)
        }
        guard let call else { throw StepFailure("the call \(id.lowercased) is gone") }
        if call.progress == "cancelled" {
            throw StepFailure("the call \(id.lowercased) was cancelled")
        }
        guard call.progress == "finished" else {
            throw StepFailure("the call \(id.lowercased) has not finished", retryable: true)
        }
        context.set(call.contextJSON, at: "call")
        do {
            if let linked = try await CallCompletion.linkedObject(of: call, in: store) {
                context.set(linked.data, at: "objects.\(linked.type)")
            }
        } catch {
            throw StepFailure("could not read the call's object: \(error)", retryable: true)
        }
        return .done(output: call.json)
    }
}
