/// A JSON document as the service sees it.
///
/// Objects keep their keys in the order they arrived, and numbers keep their
/// literal text, so that a payload can be shown and forwarded exactly as the
/// sender wrote it (a 64-bit CRM id must not be rounded through a Double).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text as it appeared in the source (already validated).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int(value))) }
        return .number(String(value))
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    /// The value as an integer when it is a number without a fractional part.
    public var intValue: Int? {
        guard case .number(let n) = self else { return nil }
        if let i = Int(n) { return i }
        if let d = Double(n), d == d.rounded(), abs(d) < 9e15 { return Int(d) }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A member of an object, or nil for anything else.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

/// An object whose members keep their order. Lookups are linear, which is
/// faster than hashing for the small objects webhooks and definitions carry.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }

    public init(_ members: [(key: String, value: JSONValue)]) { self.members = members }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            // The last duplicate wins, as in most JSON parsers.
            for member in members.reversed() where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.lastIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (l, r) in zip(lhs.members, rhs.members) where l.key != r.key || l.value != r.value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

extension JSONValue {
    /// At most this many field paths are listed for a field picker.
    public static let maxFieldPaths = 500
    /// A path longer than this many UTF-8 bytes is left out, with everything under it.
    public static let maxFieldPathBytes = 256

    /// Every path into this value, for a field picker: objects contribute
    /// their keys, arrays their first element (as index 0). The work is
    /// bounded whatever the value: at most `maxFieldPaths` paths of at most
    /// `maxFieldPathBytes` bytes each are ever built, and the walk stops at
    /// the cap. (Copying each full prefix into every child path without
    /// bounds let one 60 KB webhook build 100 MB of paths; building every
    /// child's path when its parent was visited still built up to the cap
    /// for each of the cap's visits.)
    public func fieldPaths(prefix: String, limit: Int = JSONValue.maxFieldPaths, maxPathBytes: Int = JSONValue.maxFieldPathBytes)
        -> [String]
    {
        var paths: [String] = []
        // Depth first in document order: one frame per open container, whose
        // children are taken one at a time, so a path is built only when it
        // is listed. The stack is as deep as the longest path allows.
        var stack = [FieldPathFrame(value: self, path: prefix)]
        while paths.count < limit, var frame = stack.popLast() {
            guard let (child, path) = frame.nextChild(maxPathBytes: maxPathBytes) else { continue }
            stack.append(frame)
            paths.append(path)
            stack.append(FieldPathFrame(value: child, path: path))
        }
        return paths
    }
}

/// A container being walked by `fieldPaths`, and how far.
private struct FieldPathFrame {
    let value: JSONValue
    let path: String
    /// The index of the next member (or element) to consider.
    var next = 0

    init(value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// The next child whose path fits in `maxPathBytes`, with that path;
    /// nil when there is none. Members over the cap are skipped with
    /// everything under them.
    mutating func nextChild(maxPathBytes: Int) -> (JSONValue, String)? {
        switch value {
        case .object(let object):
            let base = path.utf8.count + (path.isEmpty ? 0 : 1)
            let members = object.members
            while next < members.count {
                let member = members[next]
                next += 1
                guard base + member.key.utf8.count <= maxPathBytes else { continue }
                return (member.value, path.isEmpty ? member.key : "\(path).\(member.key)")
            }
            return nil
        case .array(let elements):
            guard next == 0, let first = elements.first, path.utf8.count + 2 <= maxPathBytes else { return nil }
            next = 1
            return (first, "\(path).0")
        default:
            return nil
        }
    }
}
