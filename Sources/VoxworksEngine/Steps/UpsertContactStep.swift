import VoxworksCore
import VoxworksStore

/// `upsert_contact`: finds the team's contact by phone number (normalised to
/// E.164) or email, creates or updates it, and sets `contact.*`.
struct UpsertContactStep: StepRunner {
    let store: any ExecutionStore
    let defaultRegion: String
    let clock: @Sendable () -> Timestamp

    var effects: StepEffects { .inStoreTransaction }

    func run(_ spec: UpsertContactSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        let rendered = Template.render(.object(spec.fields), in: context).objectValue ?? JSONObject()
        func text(_ key: String) -> String? {
            guard let value = rendered[key], !value.isNull else { return nil }
            let string = value.stringValue ?? Template.text(of: value)
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        var fields = ContactFields(
            firstName: text("first_name"), lastName: text("last_name"), email: text("email"), title: text("title"),
            address: text("address"), location: text("location"))
        if let raw = text("phone_number") {
            fields.phoneNumber = try PhoneNumber.normalize(raw, defaultRegion: defaultRegion)
        }
        switch spec.matchOn {
        case .email where fields.email == nil:
            throw StepFailure("match_on is email but the email field is empty")
        case .phoneNumber where fields.phoneNumber == nil:
            throw StepFailure("match_on is phone_number but the phone_number field is empty")
        default:
            break
        }
        do {
            let (contact, created) = try await store.upsertContact(
                teamID: step.execution.teamID, matchOnEmail: spec.matchOn == .email, fields: fields, now: clock(), log: step.leadingLog)
            context.set(contact.json, at: "contact")
            return .done(output: .object(["contact": contact.json, "created": .bool(created)]))
        } catch {
            // A store error is transient as far as the step can tell.
            throw StepFailure("could not save the contact: \(error)", retryable: true)
        }
    }
}
