/// Where a call is in its life. Stored as the raw value in `calls.progress`.
public enum CallProgress: String, CaseIterable, Sendable {
    case scheduled
    case inProgress = "in_progress"
    case finished
    case cancelled

    /// The values as the API lists them in its refusals.
    public static var listed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
