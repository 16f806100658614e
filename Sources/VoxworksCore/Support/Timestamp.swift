import Foundation

/// Milliseconds since the Unix epoch: how the store keeps every time, so
/// that ordering and range filters are integer comparisons.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var millis: Int64

    public init(millis: Int64) { self.millis = millis }

    public init(_ date: Date) { millis = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    public var seconds: Double { Double(millis) / 1000 }

    public func adding(seconds: Double) -> Timestamp { Timestamp(millis: millis + Int64(seconds * 1000)) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.millis < rhs.millis }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-30T05:25:20.123Z`.
    public var rfc3339: String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Parses RFC 3339 with or without fractional seconds; nil when it is not one.
    public init?(rfc3339 text: String) {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        if let date = try? withFraction.parse(text) {
            self.init(date)
        } else if let date = try? plain.parse(text) {
            self.init(date)
        } else {
            return nil
        }
    }
}
