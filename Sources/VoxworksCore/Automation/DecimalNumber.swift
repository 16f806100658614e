/// A decimal number read from text, compared exactly (no rounding through
/// `Double`, so 64-bit CRM ids and long decimals compare correctly).
///
/// Accepted text: optional whitespace around, an optional `+` or `-`, digits
/// with an optional `.` and fraction (`5`, `5.`, `.5`, `007`), and an
/// optional exponent (`1e3`, `2E-4`). At least one digit is required.
/// Hex, `inf`, `nan`, thousands separators and anything else are refused.
struct DecimalNumber: Sendable, Hashable, Comparable {
    /// The number as a valid JSON literal (`+5` → `5`, `.5` → `0.5`, `007` → `7`).
    let jsonLiteral: String
    private let negative: Bool
    /// Significant digits without leading or trailing zeros; empty for zero.
    private let digits: [UInt8]
    /// The value is `0.<digits> × 10^pointPosition`.
    private let pointPosition: Int

    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, Self.isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, Self.isSpace(last) { bytes.removeLast() }

        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        var integer: [UInt8] = []
        while let byte = bytes.first, Self.isDigit(byte) { integer.append(byte); bytes.removeFirst() }
        var fraction: [UInt8] = []
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            while let byte = bytes.first, Self.isDigit(byte) { fraction.append(byte); bytes.removeFirst() }
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        var exponentText = ""
        var exponent = 0
        if let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            bytes.removeFirst()
            var exponentNegative = false
            var sign = ""
            if let byte = bytes.first, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                exponentNegative = byte == UInt8(ascii: "-")
                sign = exponentNegative ? "-" : "+"
                bytes.removeFirst()
            }
            var exponentDigits: [UInt8] = []
            while let byte = bytes.first, Self.isDigit(byte) { exponentDigits.append(byte); bytes.removeFirst() }
            guard !exponentDigits.isEmpty else { return nil }
            let significant = exponentDigits.drop { $0 == UInt8(ascii: "0") }
            // Exponents beyond 15 digits are clamped: such numbers only need to order correctly.
            let magnitude = significant.count > 15 ? 1_000_000_000_000_000 : Int(String(decoding: significant, as: UTF8.self)) ?? 0
            exponent = exponentNegative ? -magnitude : magnitude
            exponentText = "e" + sign + String(decoding: exponentDigits, as: UTF8.self)
        }
        guard bytes.isEmpty else { return nil }

        let integerText = integer.drop { $0 == UInt8(ascii: "0") }
        var literal = negative ? "-" : ""
        literal += integerText.isEmpty ? "0" : String(decoding: integerText, as: UTF8.self)
        if !fraction.isEmpty { literal += "." + String(decoding: fraction, as: UTF8.self) }
        literal += exponentText
        jsonLiteral = literal

        var all = integer + fraction
        var point = integer.count + exponent
        let leadingZeros = all.prefix { $0 == UInt8(ascii: "0") }.count
        all.removeFirst(leadingZeros)
        point -= leadingZeros
        while all.last == UInt8(ascii: "0") { all.removeLast() }
        digits = all
        pointPosition = all.isEmpty ? 0 : point
        self.negative = negative && !all.isEmpty
    }

    /// The number a JSON value stands for: a JSON number, or a string holding one.
    init?(_ value: JSONValue?) {
        switch value {
        case .number(let text)?, .string(let text)?: self.init(text)
        default: return nil
        }
    }

    var doubleValue: Double? { Double(jsonLiteral) }

    static func == (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        lhs.negative == rhs.negative && lhs.digits == rhs.digits && lhs.pointPosition == rhs.pointPosition
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(negative)
        hasher.combine(digits)
        hasher.combine(pointPosition)
    }

    static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        return lhs.negative ? magnitudeLess(rhs, lhs) : magnitudeLess(lhs, rhs)
    }

    private static func magnitudeLess(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Bool {
        if lhs.digits.isEmpty || rhs.digits.isEmpty { return lhs.digits.isEmpty && !rhs.digits.isEmpty }
        if lhs.pointPosition != rhs.pointPosition { return lhs.pointPosition < rhs.pointPosition }
        return lhs.digits.lexicographicallyPrecedes(rhs.digits)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
