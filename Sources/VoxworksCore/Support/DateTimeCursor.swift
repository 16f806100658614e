import Foundation

/// A list cursor that is an RFC 3339 date-time, as clients of the calls
/// list expect, and still names exactly one row, so that paging never skips
/// or repeats a row even when many rows share one millisecond.
///
/// Rows are ordered by their time-ordered (version 7) UUID. Its first 48
/// bits are the Unix milliseconds of its creation: they become the
/// date-time down to the millisecond. The other 80 bits (counter and random
/// tail) are the tie-break within that millisecond: they follow the three
/// millisecond digits as 25 more fractional digits (5 for the top 16 bits,
/// then 20 for the low 64, each zero-padded), so the text is still a valid
/// RFC 3339 date-time, and two cursors of one second compare as text in the
/// same order as their ids.
///
/// Decoding reverses this. A date-time that a client writes itself has
/// fewer digits; the missing ones count as zeros, so `…T09:00:00Z` means
/// "rows created before 09:00:00". Digits beyond the 28th are ignored.
public enum DateTimeCursor {
    static let tieDigits = 25

    public static func encode(_ id: UUID) -> String {
        let b = id.uuid
        let millis = id.v7Millis
        let high = UInt16(b.6) << 8 | UInt16(b.7)
        let low = [b.8, b.9, b.10, b.11, b.12, b.13, b.14, b.15].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let base = String(Timestamp(millis: millis).rfc3339.dropLast())  // "…SS.mmm" without "Z"
        return base + pad(String(high), 5) + pad(String(low), 20) + "Z"
    }

    /// The id a cursor names (rows strictly below it come next), nil when
    /// the text is not an RFC 3339 date-time.
    public static func decode(_ text: String) -> UUID? {
        guard let time = Timestamp(rfc3339: text) else { return nil }
        guard time.millis >= 0 else { return UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) }
        let millis = UInt64(min(time.millis, (1 << 48) - 1))
        // The parser accepted the text, so the seconds end at offset 19.
        let bytes = Array(text.utf8)
        var digits: [UInt8] = []
        if bytes.count > 19, bytes[19] == UInt8(ascii: ".") {
            var i = 20
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                digits.append(bytes[i] - 0x30)
                i += 1
            }
        }
        var tie = Array(digits.dropFirst(3).prefix(tieDigits))
        tie += Array(repeating: 0, count: tieDigits - tie.count)
        var high: UInt64 = 0
        for digit in tie[0..<5] { high = high * 10 + UInt64(digit) }
        var low: UInt64 = 0
        var lowOverflow = false
        for digit in tie[5...] {
            let (times, o1) = low.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(digit))
            lowOverflow = lowOverflow || o1 || o2
            low = sum
        }
        if high > 0xFFFF {
            (high, low) = (0xFFFF, .max)
        } else if lowOverflow {
            low = .max
        }
        let bytesOut: uuid_t = (
            UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32),
            UInt8(truncatingIfNeeded: millis >> 24), UInt8(truncatingIfNeeded: millis >> 16),
            UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
            UInt8(truncatingIfNeeded: high >> 8), UInt8(truncatingIfNeeded: high),
            UInt8(truncatingIfNeeded: low >> 56), UInt8(truncatingIfNeeded: low >> 48),
            UInt8(truncatingIfNeeded: low >> 40), UInt8(truncatingIfNeeded: low >> 32),
            UInt8(truncatingIfNeeded: low >> 24), UInt8(truncatingIfNeeded: low >> 16),
            UInt8(truncatingIfNeeded: low >> 8), UInt8(truncatingIfNeeded: low)
        )
        return UUID(uuid: bytesOut)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
