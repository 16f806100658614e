import Foundation

/// Makes RFC 9562 version 7 UUIDs: 48 bits of Unix milliseconds, then a
/// 12-bit counter that keeps ids from one generator strictly increasing
/// within a millisecond (method 1 of the RFC), then 62 random bits.
///
/// Increasing ids matter: executions are listed and paged by id, so a later
/// webhook must never sort before an earlier one from the same node.
public struct UUIDv7Generator: Sendable {
    private struct State {
        var lastMillis: UInt64 = 0
        var counter: UInt16 = 0
    }

    private let state = LockedBox(State())

    public init() {}

    /// The process-wide generator, for ids that only need to be time-ordered.
    public static let shared = UUIDv7Generator()

    public func next(nowMillis: UInt64) -> UUID {
        let (millis, counter) = state.withLock { state -> (UInt64, UInt16) in
            if nowMillis > state.lastMillis {
                state.lastMillis = nowMillis
                state.counter = UInt16.random(in: 0..<0x400)  // leave headroom below 0xFFF
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                // Counter exhausted: borrow the next millisecond rather than repeat.
                state.lastMillis += 1
                state.counter = 0
            }
            return (state.lastMillis, state.counter)
        }
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        let bytes: uuid_t = (
            UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32),
            UInt8(truncatingIfNeeded: millis >> 24), UInt8(truncatingIfNeeded: millis >> 16),
            UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
            0x70 | UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter),
            0x80 | UInt8(truncatingIfNeeded: tail >> 58), UInt8(truncatingIfNeeded: tail >> 48),
            UInt8(truncatingIfNeeded: tail >> 40), UInt8(truncatingIfNeeded: tail >> 32),
            UInt8(truncatingIfNeeded: tail >> 24), UInt8(truncatingIfNeeded: tail >> 16),
            UInt8(truncatingIfNeeded: tail >> 8), UInt8(truncatingIfNeeded: tail)
        )
        return UUID(uuid: bytes)
    }
}

extension UUID {
    /// A new time-ordered id from the shared generator.
    public static func v7(now: Timestamp = .now()) -> UUID {
        UUIDv7Generator.shared.next(nowMillis: UInt64(max(0, now.millis)))
    }

    /// The Unix milliseconds in a version 7 id's first 48 bits.
    public var v7Millis: Int64 {
        let b = uuid
        return [b.0, b.1, b.2, b.3, b.4, b.5].reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// Lowercase canonical text, the form used in every API response and in
    /// the store. Written directly: `uuidString` goes through `sprintf` and
    /// then a lowercasing copy, and every store call formats several ids.
    public var lowercased: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = Self.hexDigit(byte >> 4)
                    out[index + 1] = Self.hexDigit(byte & 0x0F)
                    index += 2
                }
                return index
            }
        }
    }

    /// Parses the canonical 36-character form (either case), as the store
    /// keeps ids. `UUID(uuidString:)` goes through `sscanf`, which showed in
    /// the engine's profile: each claim reads three ids on the single writer.
    public init?(canonical text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { utf8 -> uuid_t? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var index = 0
                for position in 0..<16 {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        guard utf8[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                    }
                    guard let high = Self.hexValue(utf8[index]), let low = Self.hexValue(utf8[index + 1]) else { return false }
                    out[position] = high << 4 | low
                    index += 2
                }
                return true
            }
            return ok ? bytes : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// The version nibble (7 for ids made by `UUIDv7Generator`).
    public var version: Int { Int(uuid.6 >> 4) }
}
