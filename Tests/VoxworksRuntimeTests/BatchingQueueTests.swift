import Foundation
import Testing
import VoxworksCore
@testable import VoxworksRuntime

/// The batching behind group commit and the PostgreSQL rate limiter:
/// callers that arrive together cost one call, each hears its own answer.
@Suite struct BatchingQueueTests {
    struct Refused: Error {}

    /// Doubles each number after a pause (a commit's fsync), recording each call's size.
    final class Doubler: Sendable {
        let calls = LockedBox<[Int]>([])
        let shortBy: Int

        init(shortBy: Int = 0) { self.shortBy = shortBy }

        func process(_ batch: [Int]) async throws -> [Int] {
            calls.withLock { $0.append(batch.count) }
            try await Task.sleep(for: .milliseconds(20))
            return batch.dropLast(shortBy).map { $0 * 2 }
        }
    }

    @Test func concurrentCallersShareCallsAndEachGetsItsOwnAnswer() async throws {
        let doubler = Doubler()
        let queue = BatchingQueue<Int, Int>(maxBatch: 64, deadline: .seconds(10), timedOut: Refused(), missingAnswer: Refused()) {
            try await doubler.process($0)
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for number in 0..<300 {
                group.addTask { (number, try await queue.submit(number)) }
            }
            var answers: [Int: Int] = [:]
            for try await (number, answer) in group { answers[number] = answer }
            return answers
        }
        #expect(answers.count == 300)
        #expect(answers.allSatisfy { $0.value == $0.key * 2 })
        let calls = doubler.calls.value
        #expect(calls.reduce(0, +) == 300)
        #expect(calls.allSatisfy { $0 <= 64 })
        // One call per batch, not per caller: 300 callers in a handful of calls.
        #expect(calls.count <= 20, "calls: \(calls)")
    }

    @Test func callersPastAShortAnswerFailInsteadOfHanging() async throws {
        let doubler = Doubler(shortBy: 1)
        let queue = BatchingQueue<Int, Int>(maxBatch: 64, deadline: .seconds(10), timedOut: Refused(), missingAnswer: Refused()) {
            try await doubler.process($0)
        }
        let failed = await withTaskGroup(of: Bool.self) { group in
            for number in 0..<10 {
                group.addTask { (try? await queue.submit(number)) == nil }
            }
            var failed = 0
            for await didFail in group where didFail { failed += 1 }
            return failed
        }
        // One caller per call gets no answer.
        #expect(failed == doubler.calls.value.count)
        #expect(failed >= 1)
    }

    /// 2 s, not less: the next call must finish within the deadline too,
    /// also while the whole suite loads both cores.
    @Test func aCallPastTheDeadlineFailsItsBatchAndTheNextOnesRun() async throws {
        let calls = LockedBox(0)
        let queue = BatchingQueue<Int, Int>(maxBatch: 64, deadline: .seconds(2), timedOut: Refused(), missingAnswer: Refused()) { batch in
            let call = calls.withLock { value -> Int in
                value += 1
                return value
            }
            if call == 1 {
                // Ignores cancellation, as a stuck driver would.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            }
            return batch
        }
        await #expect(throws: Refused.self) { try await queue.submit(1) }
        #expect(try await queue.submit(2) == 2)
    }
}
