/// The operators of a Condition step: `field` (a context path, nil when
/// missing) is compared with `value` (the rendered value of the step).
///
/// Rules:
/// - A *number* below means a JSON number or a string that holds a decimal
///   number (`"5"`, `" 5 "`, `"5.0"`, `"-2e3"`); numbers compare exactly by
///   value, never through rounding (`12345678901234567891` ≠ `…890`).
/// - `equals`: numeric when one side is a JSON number and the other a number
///   (`5` equals `"5"` and `5.0`); two strings compare exactly (`"05"` is not
///   `"5"`, case matters); a boolean equals the same boolean or the string
///   `"true"`/`"false"`; `null` equals `null` and a missing field; arrays
///   element by element and objects key by key (order ignored), with the
///   same rules inside. Anything else is not equal.
/// - `not_equals`: the negation of `equals`.
/// - `greater_than`, `greater_or_equal`, `less_than`, `less_or_equal`:
///   numeric when both sides are numbers (including numeric strings, so
///   `"10"` > `"9"`); otherwise, when both sides are strings or numbers, the
///   texts compare in Unicode order (ISO dates order correctly); any other
///   pairing (missing, `null`, booleans, arrays, objects) is false.
/// - `contains`: a string (or number's literal) field contains the value's
///   text as a substring (case-sensitive; the empty string is contained in
///   any string); an array field contains an element that `equals` the
///   value; an object field contains the value when it is one of its keys.
///   Anything else is false. `not_contains` is its negation (so a missing
///   field does not contain anything).
/// - `starts_with`: a string (or number's literal) field starts with the
///   value's text (case-sensitive); else false.
/// - `is_empty`: the field is missing, `null`, `""`, `[]` or `{}` (a string
///   of spaces is not empty); `is_not_empty` is its negation. Both ignore
///   `value`.
///
/// The value's *text* is a string itself, a number's literal or `true`/`false`;
/// `null`, arrays and objects have no text (those comparisons are false).
public enum ConditionOperator: String, CaseIterable, Sendable {
    case equals
    case notEquals = "not_equals"
    case greaterThan = "greater_than"
    case greaterOrEqual = "greater_or_equal"
    case lessThan = "less_than"
    case lessOrEqual = "less_or_equal"
    case contains
    case notContains = "not_contains"
    case startsWith = "starts_with"
    case isEmpty = "is_empty"
    case isNotEmpty = "is_not_empty"

    /// False for `is_empty` and `is_not_empty`, which ignore the step's `value`.
    public var needsValue: Bool {
        self != .isEmpty && self != .isNotEmpty
    }

    public func evaluate(_ field: JSONValue?, _ value: JSONValue?) -> Bool {
        switch self {
        case .equals: Self.equal(field, value)
        case .notEquals: !Self.equal(field, value)
        case .greaterThan:
            Self.compare(field, value) {
                $0 > $1
            } text: {
                $0 > $1
            }
        case .greaterOrEqual:
            Self.compare(field, value) {
                $0 >= $1
            } text: {
                $0 >= $1
            }
        case .lessThan:
            Self.compare(field, value) {
                $0 < $1
            } text: {
                $0 < $1
            }
        case .lessOrEqual:
            Self.compare(field, value) {
                $0 <= $1
            } text: {
                $0 <= $1
            }
        case .contains: Self.contains(field, value)
        case .notContains: !Self.contains(field, value)
        case .startsWith: Self.startsWith(field, value)
        case .isEmpty: Self.isEmpty(field)
        case .isNotEmpty: !Self.isEmpty(field)
        }
    }

    // MARK: - Rules

    static func equal(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        switch (lhs ?? .null, rhs ?? .null) {
        case (.null, .null):
            return true
        case (.string(let a), .string(let b)):
            return a == b
        case (.number, .number), (.number, .string), (.string, .number):
            guard let a = DecimalNumber(lhs), let b = DecimalNumber(rhs) else { return false }
            return a == b
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.bool(let a), .string(let b)), (.string(let b), .bool(let a)):
            return b == (a ? "true" : "false")
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in b[member.key].map { equal(member.value, $0) } ?? false }
        default:
            return false
        }
    }

    private static func compare(
        _ lhs: JSONValue?, _ rhs: JSONValue?,
        numeric: (DecimalNumber, DecimalNumber) -> Bool, text: (String, String) -> Bool
    ) -> Bool {
        if let a = DecimalNumber(lhs), let b = DecimalNumber(rhs) { return numeric(a, b) }
        switch (lhs, rhs) {
        case (.string(let a)?, .string(let b)?), (.string(let a)?, .number(let b)?), (.number(let a)?, .string(let b)?):
            return text(a, b)
        default:
            return false
        }
    }

    private static func contains(_ field: JSONValue?, _ value: JSONValue?) -> Bool {
        switch field {
        case .string(let text)?, .number(let text)?:
            guard let needle = Self.text(value) else { return false }
            return needle.isEmpty || text.contains(needle)
        case .array(let elements)?:
            return elements.contains { equal($0, value) }
        case .object(let object)?:
            guard case .string(let key)? = value else { return false }
            return object[key] != nil
        default:
            return false
        }
    }

    private static func startsWith(_ field: JSONValue?, _ value: JSONValue?) -> Bool {
        switch field {
        case .string(let text)?, .number(let text)?:
            guard let prefix = Self.text(value) else { return false }
            return text.hasPrefix(prefix)
        default:
            return false
        }
    }

    private static func isEmpty(_ field: JSONValue?) -> Bool {
        switch field {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        case .array(let elements)?: elements.isEmpty
        case .object(let object)?: object.count == 0
        case .bool?, .number?: false
        }
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?, .number(let text)?: text
        case .bool(let bool)?: bool ? "true" : "false"
        default: nil
        }
    }
}
