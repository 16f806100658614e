/// `delay`: parks the execution, holding no worker, for a number of
/// seconds or until a time.
public enum DelaySpec: Sendable {
    /// 30 days.
    public static let maxSeconds = 2_592_000

    case seconds(Double)
    /// An RFC 3339 time, or a template giving one.
    case until(JSONValue)

    init(reading reader: inout FieldReader) throws(DefinitionError) {
        switch (reader.present("seconds"), reader.present("until")) {
        case (nil, nil):
            throw reader.fail("seconds", "or field \"until\" is required")
        case (_?, _?):
            throw reader.fail("seconds", "cannot be combined with field \"until\"; give one of them")
        case (let value?, nil):
            guard let number = value.doubleValue, number >= 0, number <= Double(Self.maxSeconds) else {
                throw reader.fail("seconds", "must be a number from 0 to \(Self.maxSeconds) (30 days)")
            }
            self = .seconds(number)
        case (nil, let value?):
            guard case .string(let text) = value, !text.isEmpty else {
                throw reader.fail("until", "must be a string: an RFC 3339 time or a template")
            }
            if Template.containsTemplate(text) {
                try reader.templates(value, field: "until")
            } else if Timestamp(rfc3339: text) == nil {
                // The same parser the delay step runs with, so that a
                // definition that validates never fails on its `until` text.
                throw reader.fail("until", "must be an RFC 3339 time such as \"2026-01-31T09:00:00Z\" or a template")
            }
            self = .until(value)
        }
    }
}
