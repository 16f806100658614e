/// The optional transform of a Transform step's mapping.
///
/// Text forms (what a definition holds): `uppercase`, `lowercase`,
/// `truncate:N` (N ≥ 0), `date:FORMAT`, `to_string`, `to_number`.
///
/// Every transform passes `null` through as `null`. Otherwise:
/// - `uppercase` / `lowercase`: strings only (Unicode-aware, locale-independent).
/// - `truncate:N`: strings only; keeps the first N Characters (grapheme clusters).
/// - `date:FORMAT`: reads an RFC 3339 / ISO 8601 date-time
///   (`2024-03-05T14:30:00Z`, `…+10:00`, `…T14:30`, fractional seconds allowed,
///   no offset meaning UTC), a `YYYY-MM-DD` date, or a Unix-seconds number,
///   and writes it in UTC with the tokens `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss`;
///   everything else in FORMAT is copied.
/// - `to_string`: strings as they are, numbers as their literal, `true`/`false`,
///   arrays and objects as compact JSON.
/// - `to_number`: numbers as they are; strings holding a decimal number
///   (whitespace around, `+5`, `007`, `.5`, `1e3` allowed; written back as a
///   valid JSON literal without rounding); anything else fails.
public enum FieldTransform: Sendable, Equatable, CustomStringConvertible {
    case uppercase
    case lowercase
    case truncate(Int)
    case date(String)
    case toString
    case toNumber

    public init(parsing text: String) throws(DefinitionError) {
        switch text {
        case "uppercase": self = .uppercase
        case "lowercase": self = .lowercase
        case "to_string": self = .toString
        case "to_number": self = .toNumber
        default:
            if text.hasPrefix("truncate:") {
                let count = text.dropFirst("truncate:".count)
                guard !count.isEmpty, count.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let length = Int(count)
                else {
                    throw DefinitionError(
                        "\(JSONValue.string(Truncation.text(text, maxBytes: 64)).serialized) needs a whole number N ≥ 0 in truncate:N")
                }
                self = .truncate(length)
            } else if text.hasPrefix("date:") {
                let format = String(text.dropFirst("date:".count))
                guard !format.isEmpty else {
                    throw DefinitionError("\"date:\" needs a format after it, e.g. date:YYYY-MM-DD")
                }
                self = .date(format)
            } else {
                throw DefinitionError(
                    "\(JSONValue.string(Truncation.text(text, maxBytes: 64)).serialized) is not a known transform "
                        + "(expected uppercase, lowercase, truncate:N, date:FORMAT, to_string or to_number)")
            }
        }
    }

    /// The text form, as `init(parsing:)` reads it.
    public var description: String {
        switch self {
        case .uppercase: "uppercase"
        case .lowercase: "lowercase"
        case .truncate(let length): "truncate:\(length)"
        case .date(let format): "date:\(format)"
        case .toString: "to_string"
        case .toNumber: "to_number"
        }
    }

    public func apply(_ value: JSONValue) throws(StepFailure) -> JSONValue {
        if case .null = value { return .null }
        switch self {
        case .uppercase:
            return .string(try string(value).uppercased())
        case .lowercase:
            return .string(try string(value).lowercased())
        case .truncate(let length):
            return .string(String(try string(value).prefix(length)))
        case .date(let format):
            guard let seconds = Self.unixSeconds(value) else {
                throw StepFailure(
                    "\(description) cannot read \(Self.describe(value)) as a date (expected RFC 3339, YYYY-MM-DD or Unix seconds)")
            }
            return .string(Self.format(seconds: seconds, as: format))
        case .toString:
            return .string(Template.text(of: value))
        case .toNumber:
            switch value {
            case .number: return value
            case .string(let text):
                guard let number = DecimalNumber(text) else {
                    throw StepFailure("to_number cannot read \(Self.describe(value)) as a number")
                }
                return .number(number.jsonLiteral)
            default:
                throw StepFailure("to_number needs a string or a number, got \(Self.describe(value))")
            }
        }
    }

    private func string(_ value: JSONValue) throws(StepFailure) -> String {
        guard case .string(let text) = value else {
            throw StepFailure("\(description) needs a string, got \(Self.describe(value))")
        }
        return text
    }

    /// How an error message names a value: strings quoted (first 100 Characters), others by kind and text.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .string(let text): text.count > 100 ? JSONValue.string(text.prefix(100) + "…").serialized : value.serialized
        case .number(let literal): "the number \(literal)"
        case .bool(let bool): "the boolean \(bool)"
        case .array: "an array"
        case .object: "an object"
        }
    }

    // MARK: - Dates

    /// Earliest and latest instants that format with a four-digit year (0000-01-01 … 9999-12-31, UTC).
    private static let secondsRange: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    static func unixSeconds(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let literal):
            guard let double = Double(literal), double.isFinite else { return nil }
            let floored = double.rounded(.down)
            guard floored >= Double(secondsRange.lowerBound), floored <= Double(secondsRange.upperBound) else { return nil }
            return Int64(floored)
        case .string(let text):
            return parseDate(Template.trim(text))
        default:
            return nil
        }
    }

    /// `YYYY-MM-DD`, optionally followed by `T`/`t`/space, `HH:mm`, optional `:ss`
    /// with an optional fraction, and an optional `Z`/`z` or `±HH`, `±HHMM`, `±HH:MM`.
    private static func parseDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ width: Int) -> Int64? {
            guard position + width <= bytes.count else { return nil }
            var result: Int64 = 0
            for byte in bytes[position..<(position + width)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                result = result * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += width
            return result
        }
        func expect(_ character: Character) -> Bool {
            guard position < bytes.count, bytes[position] == character.asciiValue else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month) else { return nil }
        var seconds = Timestamp.days(year: year, month: month, day: day) * 86_400
        guard position < bytes.count else { return seconds }

        guard expect("T") || expect("t") || expect(" ") else { return nil }
        guard let hour = number(2), expect(":"), let minute = number(2), hour <= 23, minute <= 59 else { return nil }
        var second: Int64 = 0
        if expect(":") {
            guard let value = number(2), value <= 60 else { return nil }
            second = value
            if expect(".") || expect(",") {
                let start = position
                while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
                guard position > start else { return nil }
            }
        }
        seconds += hour * 3600 + minute * 60 + second
        guard position < bytes.count else { return seconds }

        if expect("Z") || expect("z") {
            return position == bytes.count ? seconds : nil
        }
        let sign: Int64
        if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
        guard let offsetHours = number(2), offsetHours <= 23 else { return nil }
        var offsetMinutes: Int64 = 0
        if position < bytes.count {
            _ = expect(":")
            guard let value = number(2), value <= 59 else { return nil }
            offsetMinutes = value
        }
        guard position == bytes.count else { return nil }
        return seconds - sign * (offsetHours * 3600 + offsetMinutes * 60)
    }

    static func format(seconds: Int64, as format: String) -> String {
        let clamped = min(max(seconds, secondsRange.lowerBound), secondsRange.upperBound)
        let (days, secondOfDay) = floorDivide(clamped, 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let tokens: [(String, String)] = [
            ("YYYY", pad(year, 4)), ("MM", pad(month, 2)), ("DD", pad(day, 2)),
            ("HH", pad(secondOfDay / 3600, 2)), ("mm", pad(secondOfDay % 3600 / 60, 2)), ("ss", pad(secondOfDay % 60, 2)),
        ]
        var output = ""
        var rest = Substring(format)
        scan: while !rest.isEmpty {
            for (token, replacement) in tokens where rest.hasPrefix(token) {
                output += replacement
                rest = rest.dropFirst(token.count)
                continue scan
            }
            output.append(rest.removeFirst())
        }
        return output
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}
