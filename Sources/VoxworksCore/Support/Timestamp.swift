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
    /// Computed from the integer milliseconds (not through a Double `Date`,
    /// which would print some values one millisecond low).
    public var rfc3339: String {
        let (seconds, milli) = millis.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, fraction) = milli < 0 ? (seconds - 1, milli + 1000) : (seconds, milli)
        let (days, secondOfDay) = Self.floorDivide(wholeSeconds, 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 3))Z"
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
