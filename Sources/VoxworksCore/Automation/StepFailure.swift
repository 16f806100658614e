/// Why a step did not complete: the error a step runner throws.
///
/// `message` is what the execution log shows next to the failed step.
/// `retryable` says whether running the step again may succeed (a timeout or
/// a `503` from a remote API) or not (a value that can never be a phone
/// number); the engine only schedules retries for retryable failures.
public struct StepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool

    public init(_ message: String, retryable: Bool = false) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { retryable ? "\(message) (retryable)" : message }
}
