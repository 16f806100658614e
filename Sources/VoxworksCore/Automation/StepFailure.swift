/// Why a step did not complete: the error a step runner throws.
///
/// `message` is what the execution log shows next to the failed step.
/// `retryable` says whether running the step again may succeed (a timeout or
/// a `503` from a remote API) or not (a value that can never be a phone
/// number); the engine only schedules retries for retryable failures.
public struct StepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message is cut to this many bytes: it may quote what a sender sent,
    /// and it is stored, shown and logged for every failed step.
    public static let maxMessageBytes = 1_024

    public var message: String
    public var retryable: Bool
    /// The HTTP attempt that failed, for the step's attempt log (an
    /// `http_request` step's; nil for a failure that sent nothing).
    public var attempt: StepAttempt?

    public init(_ message: String, retryable: Bool = false, attempt: StepAttempt? = nil) {
        self.message = Truncation.text(message, maxBytes: Self.maxMessageBytes)
        self.retryable = retryable
        self.attempt = attempt
    }

    public var description: String { retryable ? "\(message) (retryable)" : message }
}
