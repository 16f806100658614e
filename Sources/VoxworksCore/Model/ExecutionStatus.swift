/// An execution's status, as the API shows it (docs/automations.md lists what each means).
public enum ExecutionStatus: String, Sendable, CaseIterable, Codable {
    case pending
    case processing
    case completed
    case failed
    case deadLetter = "dead_letter"
    case cancelled

    public var isFinal: Bool {
        switch self {
        case .completed, .failed, .deadLetter, .cancelled: true
        case .pending, .processing: false
        }
    }
}
