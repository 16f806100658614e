import Testing
import VoxworksCore

/// Backoff: doubling from the initial value up to the maximum, with ±20 % jitter.
@Suite struct RetryPolicyTests {
    @Test func defaultsAreFiveAttemptsFromTwoSecondsToTenMinutes() {
        #expect(RetryPolicy(definition: .object([:])) == RetryPolicy(maxAttempts: 5, initialBackoffSeconds: 2, maxBackoffSeconds: 600))
    }

    @Test func backoffDoublesAndStopsAtTheMaximum() {
        let policy = RetryPolicy.standard
        #expect([1, 2, 3, 4, 5, 9, 10, 40].map { policy.backoff(afterAttempt: $0, unitRandom: 0.5) } == [2, 4, 8, 16, 32, 512, 600, 600])
        #expect(policy.backoff(afterAttempt: 1, unitRandom: 0) == 1.6)
        #expect(abs(policy.backoff(afterAttempt: 1, unitRandom: 0.999_999) - 2.4) < 0.0001)
        #expect(policy.backoff(afterAttempt: 10, unitRandom: 0.999) == 600, "jitter never exceeds the maximum")
    }

    @Test func attemptsRunOut() {
        let policy = RetryPolicy(maxAttempts: 3, initialBackoffSeconds: 1, maxBackoffSeconds: 10)
        #expect(policy.hasAttemptsLeft(after: 2))
        #expect(!policy.hasAttemptsLeft(after: 3))
    }

    @Test func aDefinitionSetsItAndBadValuesAreRefused() throws {
        let definition = try JSONParser().parse(#"{"retry":{"max_attempts":2,"initial_backoff_seconds":0.5,"max_backoff_seconds":30}}"#)
        #expect(RetryPolicy(definition: definition) == RetryPolicy(maxAttempts: 2, initialBackoffSeconds: 0.5, maxBackoffSeconds: 30))
        #expect(throws: DefinitionError("definition.retry.max_attempts must be an integer from 1 to 100")) {
            try RetryPolicy.validate(try JSONParser().parse(#"{"retry":{"max_attempts":0}}"#))
        }
        #expect(throws: DefinitionError("definition.retry.max_backoff_seconds must be a number of seconds from 0 to 86400")) {
            try RetryPolicy.validate(try JSONParser().parse(#"{"retry":{"max_backoff_seconds":"soon"}}"#))
        }
    }
}
