/// `{{path}}` templates in step fields.
///
/// - A string that is exactly one template (`"{{trigger.total}}"`, spaces
///   inside the braces allowed, none outside) yields the value at the path
///   with its JSON type; a missing value yields `null`.
/// - A string with templates inside text yields a string in which each
///   template is replaced by the value's text: strings as they are, numbers
///   by their literal, `true`/`false`, objects and arrays as compact JSON,
///   and `null` or a missing value as the empty string.
/// - Other strings pass through unchanged; arrays and objects are rendered
///   member by member (object keys are not templates).
///
/// A template is the text between `{{` and the next `}}`; when several `{{`
/// precede that `}}`, the last one opens it (`{{{x}}}` renders as `{` + x + `}`).
/// A `{{` without a closing `}}` is plain text. The text inside is trimmed
/// and read as a context path; one that is not a valid path (see
/// `ExecutionContext.isValidPath`) is simply missing. `paths(in:)` lists
/// every referenced path so that validation can refuse such paths up front.
public enum Template {
    public static func render(_ value: JSONValue, in context: ExecutionContext) -> JSONValue {
        switch value {
        case .string(let text):
            return render(text, in: context)
        case .array(let elements):
            return .array(elements.map { render($0, in: context) })
        case .object(let object):
            return .object(JSONObject(object.members.map { (key: $0.key, value: render($0.value, in: context)) }))
        case .null, .bool, .number:
            return value
        }
    }

    /// The context paths referenced anywhere in `value`, in order of first appearance, without repeats.
    public static func paths(in value: JSONValue) -> [String] {
        var paths: [String] = []
        var seen = Set<String>()
        collect(value, into: &paths, seen: &seen)
        return paths
    }

    /// True when `text` contains at least one template.
    public static func containsTemplate(_ text: String) -> Bool {
        parts(of: text).contains { if case .path = $0 { true } else { false } }
    }

    /// The path when `text` is exactly one template (and would keep its JSON type), else nil.
    public static func singlePath(_ text: String) -> String? {
        let parts = parts(of: text)
        guard parts.count == 1, case .path(let path) = parts[0] else { return nil }
        return path
    }

    /// The text a value contributes when substituted inside a string.
    public static func text(of value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let string)?: string
        case .number(let literal)?: literal
        case .bool(let bool)?: bool ? "true" : "false"
        case let other?: other.serialized
        }
    }

    private static func render(_ text: String, in context: ExecutionContext) -> JSONValue {
        let parts = parts(of: text)
        if parts.count == 1, case .path(let path) = parts[0] {
            return context.value(at: path) ?? .null
        }
        guard parts.contains(where: { if case .path = $0 { true } else { false } }) else { return .string(text) }
        var output = ""
        for part in parts {
            switch part {
            case .literal(let literal): output += literal
            case .path(let path): output += self.text(of: context.value(at: path))
            }
        }
        return .string(output)
    }

    private static func collect(_ value: JSONValue, into paths: inout [String], seen: inout Set<String>) {
        switch value {
        case .string(let text):
            for case .path(let path) in parts(of: text) where seen.insert(path).inserted {
                paths.append(path)
            }
        case .array(let elements):
            for element in elements { collect(element, into: &paths, seen: &seen) }
        case .object(let object):
            for member in object { collect(member.value, into: &paths, seen: &seen) }
        case .null, .bool, .number:
            break
        }
    }

    enum Part: Equatable {
        case literal(String)
        case path(String)
    }

    /// Splits text into literal runs and (trimmed) template paths.
    static func parts(of text: String) -> [Part] {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var parts: [Part] = []
        var literalStart = 0
        var index = 0
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        while index + 1 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open else {
                index += 1
                continue
            }
            // The first `}}` after this `{{` closes the template.
            var end = index + 2
            while end + 1 < bytes.count, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count else { break }
            // The last `{{` before it opens the template.
            var start = index
            var probe = index + 1
            while probe + 1 < end + 1 {
                if bytes[probe] == open, bytes[probe + 1] == open { start = probe }
                probe += 1
            }
            if literalStart < start { parts.append(.literal(string(literalStart..<start))) }
            let inner = string((start + 2)..<end)
            parts.append(.path(trim(inner)))
            index = end + 2
            literalStart = index
        }
        if literalStart < bytes.count { parts.append(.literal(string(literalStart..<bytes.count))) }
        return parts
    }

    /// `text` without leading and trailing whitespace (spaces, tabs, newlines).
    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
