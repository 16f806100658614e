import Foundation
import Testing
@testable import VoxworksCore

@Suite struct DateTimeCursorTests {
    /// Every id comes back from its cursor, and the cursor is the id's
    /// millisecond as an RFC 3339 date-time.
    @Test func aCursorNamesItsIdExactly() throws {
        let generator = UUIDv7Generator()
        var random = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<2000 {
            let millis = UInt64.random(in: 0..<253_402_300_800_000, using: &random)
            let id = generator.next(nowMillis: millis)
            let cursor = DateTimeCursor.encode(id)
            #expect(DateTimeCursor.decode(cursor) == id, "\(cursor)")
            #expect(Timestamp(rfc3339: cursor) != nil)
            checked += 1
        }
        // Any 80 bits after the millisecond, whatever their version bits
        // (the date-time has four-digit years, so up to 9999).
        for _ in 0..<2000 {
            let m = UInt64.random(in: 0..<253_402_300_800_000, using: &random)
            let a = random.next() as UInt64, c = random.next() as UInt64
            let id = UUID(
                uuid: (
                    UInt8(truncatingIfNeeded: m >> 40), UInt8(truncatingIfNeeded: m >> 32), UInt8(truncatingIfNeeded: m >> 24),
                    UInt8(truncatingIfNeeded: m >> 16), UInt8(truncatingIfNeeded: m >> 8), UInt8(truncatingIfNeeded: m),
                    UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a),
                    UInt8(truncatingIfNeeded: c >> 56), UInt8(truncatingIfNeeded: c >> 48), UInt8(truncatingIfNeeded: c >> 40),
                    UInt8(truncatingIfNeeded: c >> 32), UInt8(truncatingIfNeeded: c >> 24), UInt8(truncatingIfNeeded: c >> 16),
                    UInt8(truncatingIfNeeded: c >> 8), UInt8(truncatingIfNeeded: c)
                ))
            #expect(DateTimeCursor.decode(DateTimeCursor.encode(id)) == id)
            checked += 1
        }
        #expect(checked == 4000)
    }

    /// Within one second, cursors sort as text in the order of their ids.
    @Test func cursorsSortLikeTheirIds() {
        let generator = UUIDv7Generator()
        let ids = (0..<500).map { generator.next(nowMillis: 1_796_000_000_000 + UInt64($0 % 7)) }
        let byID = ids.sorted { $0.lowercased < $1.lowercased }
        let byCursor = ids.sorted { DateTimeCursor.encode($0) < DateTimeCursor.encode($1) }
        #expect(byID.count == 500)
        #expect(byID == byCursor)
    }

    /// A date-time a client writes: the missing digits are zeros, so the
    /// cursor sits before every id of that millisecond; offsets count.
    @Test func aPlainDateTimeIsTheStartOfItsMillisecond() throws {
        let id = try #require(DateTimeCursor.decode("2026-01-31T09:00:00.250Z"))
        let millis = try #require(Timestamp(rfc3339: "2026-01-31T09:00:00.250Z")).millis
        #expect(id.lowercased.hasPrefix(String(format: "%012llx", millis).prefix(8)))
        #expect(id.lowercased.hasSuffix("-0000-0000-000000000000"))
        #expect(DateTimeCursor.decode("2026-01-31T19:00:00.250+10:00") == id)
        #expect(DateTimeCursor.decode("2026-01-31T09:00:00.25Z") == id)
        #expect(DateTimeCursor.decode("2026-01-31T09:00:00Z")?.lowercased.hasSuffix("-0000-0000-000000000000") == true)
        // Too many digits are ignored; an overlarge tie-break is the end of its millisecond.
        #expect(
            DateTimeCursor.decode("2026-01-31T09:00:00.250" + String(repeating: "9", count: 40) + "Z")?.lowercased.hasSuffix(
                "-ffff-ffff-ffffffffffff") == true)
        for bad in ["", "yesterday", "2026-01-31", "2026-02-30T00:00:00Z", "019ad3c6-3b4c-7d5e-8f6a-7b8c9d0e1f2a"] {
            #expect(DateTimeCursor.decode(bad) == nil, "\(bad)")
        }
    }

    /// A new call's `created_at` is its id's millisecond, also when the
    /// generator stamps the id after `now` (an id for a later time came
    /// first, or the counter of one millisecond ran out): the cursor made
    /// of the id then names the call's own creation time.
    @Test func aNewCallIsCreatedAtItsIdsMillisecond() throws {
        let now = Timestamp(millis: 1_796_000_000_123)
        let generator = UUIDv7Generator()
        _ = generator.next(nowMillis: UInt64(now.millis + 5))  // another caller, 5 ms later, came first
        var stampedLater = 0
        var disagreeing = 0
        let count = 5000  // more than one millisecond's counter holds: some ids borrow the next one
        for _ in 0..<count {
            let (id, createdAt) = Call.newIdentity(now: now, generator: generator)
            let agrees =
                createdAt.millis == id.v7Millis && createdAt > now
                && Timestamp(rfc3339: DateTimeCursor.encode(id))?.millis == createdAt.millis
            if !agrees { disagreeing += 1 }
            if createdAt.millis > now.millis + 5 { stampedLater += 1 }
        }
        #expect(disagreeing == 0, "of \(count)")
        // The counter of a millisecond ran out at least once.
        #expect(stampedLater > 0)
        let plain = Call.newIdentity(now: Timestamp(millis: now.millis + 1_000), generator: generator)
        #expect(plain.createdAt.millis == now.millis + 1_000)
    }
}
