import Testing
@testable import VoxworksCore

@Suite("StepFailure")
struct StepFailureTests {
    @Test func isNotRetryableByDefault() {
        let failure = StepFailure("boom")
        #expect(failure.message == "boom")
        #expect(failure.retryable == false)
        #expect(failure.description == "boom")
    }

    @Test func retryableFailure() {
        let failure = StepFailure("remote answered 503", retryable: true)
        #expect(failure.retryable)
        #expect(failure.description == "remote answered 503 (retryable)")
    }

    @Test func equalityCoversMessageAndRetryable() {
        #expect(StepFailure("a") == StepFailure("a", retryable: false))
        #expect(StepFailure("a") != StepFailure("a", retryable: true))
        #expect(StepFailure("a") != StepFailure("b"))
    }

    @Test func isThrownWithTypedThrows() {
        func run() throws(StepFailure) { throw StepFailure("nope", retryable: true) }
        #expect(throws: StepFailure("nope", retryable: true)) { try run() }
    }
}
