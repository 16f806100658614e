/// The kinds of step an automation can run. The raw value is the `type`
/// written in definitions, stored in step logs and used in metric labels.
public enum StepType: String, CaseIterable, Sendable {
    case transform
    case condition
    case upsertContact = "upsert_contact"
    case upsertObject = "upsert_object"
    case httpRequest = "http_request"
    case createCall = "create_call"
    case delay
}
