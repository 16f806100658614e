import Foundation
import Testing
@testable import VoxworksCore

@Suite("StepAttempt")
struct StepAttemptTests {
    private func attempt(_ status: Int) -> StepAttempt {
        StepAttempt(startedAt: Timestamp(millis: 1_700_000_000_123), durationMillis: 12, outcome: .answered, statusCode: status)
    }

    /// A step retried without end keeps the first 3 and the last 17 attempts, counting the rest.
    @Test func theLogIsBounded() {
        var log = StepAttemptLog()
        for index in 1...50 { log.append(attempt(500 + index)) }
        #expect(log.attempts.count == 20)
        #expect(log.omitted == 30)
        #expect(log.total == 50)
        #expect(log.attempts.map(\.number) == [1, 2, 3] + Array(34...50))
        #expect(log.attempts.last?.statusCode == 550)
    }

    @Test func theLogSurvivesItsStoredText() throws {
        var log = StepAttemptLog()
        for index in 1...25 { log.append(attempt(index)) }
        var failed = StepAttempt(
            startedAt: Timestamp(millis: 5), durationMillis: 0, outcome: .refused, error: "connection refused (127.0.0.1:9)")
        failed.headers = [AttemptHeader(name: "Retry-After", value: "3")]
        failed.body = "a\u{0}b"
        failed.bodyTruncated = true
        log.append(failed)
        let text = try #require(log.storedText)
        #expect(StepAttemptLog(storedText: text) == log)
        #expect(StepAttemptLog().storedText == nil)
        #expect(StepAttemptLog(storedText: "not json").isEmpty)
    }

    @Test func aBodyIsCutOnACharacterBoundaryAndMarked() {
        let body = Array(String(repeating: "€", count: 2_000).utf8)  // 3 bytes each: 6,000
        let excerpt = StepAttempt.bodyExcerpt(body)
        #expect(excerpt.truncated && excerpt.encoding == .text)
        #expect(excerpt.text?.utf8.count == 4_095)  // 1,365 whole characters
        let short = StepAttempt.bodyExcerpt(Array(#"{"error":"db down"}"#.utf8))
        #expect(short.text == #"{"error":"db down"}"# && !short.truncated)
        #expect(StepAttempt.bodyExcerpt([]).text == nil)
        let exact = StepAttempt.bodyExcerpt(Array(repeating: UInt8(ascii: "a"), count: 4_096))
        #expect(exact.text?.utf8.count == 4_096 && !exact.truncated)
    }

    @Test func aBinaryBodyIsKeptAsBase64() {
        let bytes: [UInt8] = Array(repeating: 0xFF, count: 5_000)
        let excerpt = StepAttempt.bodyExcerpt(bytes)
        #expect(excerpt.encoding == .base64 && excerpt.truncated)
        #expect(excerpt.text.flatMap { Data(base64Encoded: $0) }?.count == 4_096)
        #expect(StepAttempt.bodyExcerpt([0x61, 0x00, 0x62]).encoding == .base64)
    }

    @Test func onlySafeHeadersAreKept() {
        let kept = StepAttempt.keptHeaders([
            ("Content-Type", "application/json"), ("Set-Cookie", "s=1"), ("X-Request-Id", "abc"), ("Authorization", "Bearer x"),
            ("X-Api-Key", "k"), ("Retry-After", "30"), ("Server", String(repeating: "s", count: 1_000)), ("Request-Id", "r"),
        ])
        #expect(kept.map(\.name) == ["Content-Type", "X-Request-Id", "Retry-After", "Server", "Request-Id"])
        #expect((kept.first { $0.name == "Server" }?.value.utf8.count ?? 0) < 300)
    }
}
