/// How often and how patiently an execution is retried after a retryable
/// step failure (definition field `retry`).
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialBackoffSeconds: Double
    public var maxBackoffSeconds: Double

    public static let standard = RetryPolicy(maxAttempts: 5, initialBackoffSeconds: 2, maxBackoffSeconds: 600)

    public init(maxAttempts: Int, initialBackoffSeconds: Double, maxBackoffSeconds: Double) {
        self.maxAttempts = maxAttempts
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// The policy of a definition; absent or unusable fields take the defaults.
    public init(definition: JSONValue) {
        self = .standard
        guard let retry = definition["retry"]?.objectValue else { return }
        if let attempts = retry["max_attempts"]?.intValue, (1...100).contains(attempts) { maxAttempts = attempts }
        if let initial = retry["initial_backoff_seconds"]?.doubleValue, initial >= 0, initial <= 86_400 { initialBackoffSeconds = initial }
        if let maximum = retry["max_backoff_seconds"]?.doubleValue, maximum >= 0, maximum <= 86_400 { maxBackoffSeconds = maximum }
    }

    /// Checks the `retry` field of a definition.
    public static func validate(_ definition: JSONValue) throws(DefinitionError) {
        guard let retry = definition["retry"], !retry.isNull else { return }
        guard let object = retry.objectValue else { throw DefinitionError("definition.retry must be an object") }
        if let attempts = object["max_attempts"], !(attempts.intValue.map { (1...100).contains($0) } ?? false) {
            throw DefinitionError("definition.retry.max_attempts must be an integer from 1 to 100")
        }
        for field in ["initial_backoff_seconds", "max_backoff_seconds"] {
            if let value = object[field], !(value.doubleValue.map { $0 >= 0 && $0 <= 86_400 } ?? false) {
                throw DefinitionError("definition.retry.\(field) must be a number of seconds from 0 to 86400")
            }
        }
    }

    /// The wait before attempt `attempt + 1`, after attempt `attempt` failed:
    /// doubling from the initial backoff up to the maximum, with ±20 % jitter
    /// so that executions failing together do not retry together.
    /// `unitRandom` is in [0, 1).
    public func backoff(afterAttempt attempt: Int, unitRandom: Double) -> Double {
        let exponent = Double(max(0, attempt - 1))
        let base = min(maxBackoffSeconds, initialBackoffSeconds * Double.pow2(exponent))
        let jittered = base * (0.8 + 0.4 * unitRandom)
        return min(maxBackoffSeconds, jittered)
    }

    public func hasAttemptsLeft(after attempt: Int) -> Bool { attempt < maxAttempts }
}

extension Double {
    static func pow2(_ exponent: Double) -> Double {
        exponent >= 62 ? .greatestFiniteMagnitude : Double(UInt64(1) << UInt64(exponent))
    }
}
