import Foundation
import Testing
@testable import VoxworksCore

@Suite("Timestamp")
struct TimestampTests {
    @Test func formatsTheEpoch() {
        #expect(Timestamp(millis: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
    }

    @Test(arguments: [
        (Int64(1_796_016_320_123), "2026-11-30T05:25:20.123Z"),
        (Int64(1_796_016_320_000), "2026-11-30T05:25:20.000Z"),
        (Int64(1_700_000_000_007), "2023-11-14T22:13:20.007Z"),
        (Int64(951_782_400_999), "2000-02-29T00:00:00.999Z"),
        (Int64(1), "1970-01-01T00:00:00.001Z"),
    ])
    func formatsKnownValues(millis: Int64, text: String) {
        #expect(Timestamp(millis: millis).rfc3339 == text)
    }

    @Test func parsesWithFractionalSeconds() throws {
        let parsed = try #require(Timestamp(rfc3339: "2026-11-30T05:25:20.123Z"))
        #expect(parsed.millis == 1_796_016_320_123)
    }

    @Test func parsesWithoutFractionalSeconds() throws {
        let parsed = try #require(Timestamp(rfc3339: "2026-11-30T05:25:20Z"))
        #expect(parsed.millis == 1_796_016_320_000)
    }

    @Test func parsesAnOffset() throws {
        let parsed = try #require(Timestamp(rfc3339: "2026-11-30T07:25:20+02:00"))
        #expect(parsed.millis == 1_796_016_320_000)
    }

    @Test(arguments: [
        ("2026-11-30t05:25:20z", Int64(1_796_016_320_000)),
        ("2026-11-30T05:25:20.1239Z", Int64(1_796_016_320_123)),
        ("2026-11-29T07:54:20-21:31", Int64(1_796_016_320_000)),
        ("0621-04-19T06:52:11.6922-21:29", Int64(-42_560_883_528_308)),
        ("2000-02-29T00:00:00Z", Int64(951_782_400_000)),
        ("2026-12-31T23:59:60Z", Int64(1_798_761_600_000)),
    ])
    func parsesEveryRFC3339Form(text: String, millis: Int64) {
        #expect(Timestamp(rfc3339: text)?.millis == millis)
    }

    @Test(arguments: [
        "", "garbage", "2026-11-30", "2026-13-01T00:00:00Z", "1796016320123", "2026-11-30 05:25:20",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-1-31T00:00:00Z", "2026-11-30T05:25:20+0200",
        "2026-11-30T05:25:20", "2026-11-30T24:00:00Z", "2026-11-30T05:25:20.Z", "2026-11-30T05:25:20+24:00",
        "2026-11-30T05:25:20Z ", "2024-01-01T12:99:00Z",
    ])
    func garbageIsNil(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func formatAndParseRoundTripEveryMillisecondOfASecond() {
        var mismatches: [Int64] = []
        let base: Int64 = 1_796_016_320_000
        for offset in Int64(0)..<1000 {
            let millis = base + offset
            let text = Timestamp(millis: millis).rfc3339
            let expectedFraction = String(format: ".%03dZ", Int(offset))
            if !text.hasSuffix(expectedFraction) || Timestamp(rfc3339: text)?.millis != millis {
                mismatches.append(millis)
            }
        }
        let sample = mismatches.prefix(5).map { "\($0) → \(Timestamp(millis: $0).rfc3339)" }
        #expect(mismatches.count == 0, "\(mismatches.count) of 1000 milliseconds misformatted, e.g. \(sample)")
    }

    @Test func conversionsAndOrdering() {
        let t = Timestamp(millis: 1_500)
        #expect(t.seconds == 1.5)
        #expect(t.date == Date(timeIntervalSince1970: 1.5))
        #expect(Timestamp(Date(timeIntervalSince1970: 1.5)) == t)
        #expect(Timestamp(Date(timeIntervalSince1970: 0.0004)).millis == 0)
        #expect(Timestamp(Date(timeIntervalSince1970: 0.0006)).millis == 1)
        #expect(t.adding(seconds: 2.25).millis == 3_750)
        #expect(t.adding(seconds: -1).millis == 500)
        #expect(Timestamp(millis: 1) < Timestamp(millis: 2))
        #expect(!(Timestamp(millis: 2) < Timestamp(millis: 2)))
    }
}
