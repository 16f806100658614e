/// The shared state every step of an execution reads and writes.
///
/// `root` always starts with the six top-level keys, in this order:
/// `trigger` (the trigger payload), then `contact`, `objects`, `mapped`,
/// `source` and `call`, which start as empty objects.
///
/// Paths use dot notation from one of those roots. Array elements are
/// reached by index in either form: `trigger.items.0.name` or
/// `trigger.items[0].name` (brackets may follow each other: `m[0][1]`).
/// A segment is any non-empty text without `.`, `[`, `]`, `{`, `}`, control
/// characters or surrounding whitespace (`trigger.First Name` is a path).
public struct ExecutionContext: Sendable, Equatable {
    /// The top-level keys, in the order `root` keeps them.
    public static let roots = ["trigger", "contact", "objects", "mapped", "source", "call"]

    /// How far past the end of an array `set` may write (padding with `null`).
    public static let maxArrayPadding = 10_000

    public var root: JSONObject

    public init(trigger: JSONValue) {
        var root = JSONObject()
        root["trigger"] = trigger
        for key in Self.roots.dropFirst() { root[key] = .object([:]) }
        self.root = root
    }

    /// A context restored as it was stored (for example while an execution waits for a call).
    public init(root: JSONObject) {
        self.root = root
    }

    /// The whole context as one JSON object (for step input/output logs).
    public var json: JSONValue { .object(root) }

    /// The value at `path`, or nil when the path is malformed, does not start
    /// at one of the six roots, or leads nowhere. A JSON `null` stored at the
    /// path is returned as `.null` (present), not nil.
    public func value(at path: String) -> JSONValue? {
        guard let segments = Self.segments(of: path) else { return nil }
        var current: JSONValue = .object(root)
        for segment in segments {
            switch current {
            case .object(let object):
                guard let next = object[segment] else { return nil }
                current = next
            case .array(let array):
                guard let index = Self.index(segment), index < array.count else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Stores `value` at `path`, creating missing intermediate objects.
    ///
    /// An existing array is indexed by a numeric segment: an index inside it
    /// replaces the element, the index just past the end appends, a larger
    /// one pads with `null` (an index more than `maxArrayPadding` past the
    /// end changes nothing). A scalar in the way, or an array reached with a
    /// non-numeric segment, is replaced by an object. A malformed path, or
    /// one outside the six roots, changes nothing.
    public mutating func set(_ value: JSONValue, at path: String) {
        guard let segments = Self.segments(of: path) else { return }
        var whole: JSONValue = .object(root)
        Self.set(value, in: &whole, segments: segments[...])
        if case .object(let object) = whole { root = object }
    }

    private static func set(_ value: JSONValue, in container: inout JSONValue, segments: ArraySlice<String>) {
        guard let segment = segments.first else {
            container = value
            return
        }
        let rest = segments.dropFirst()
        if case .array(var array) = container, let index = index(segment) {
            guard index <= array.count + maxArrayPadding else { return }
            container = .null  // release the old storage so the array is edited in place
            while array.count <= index { array.append(.null) }
            set(value, in: &array[index], segments: rest)
            container = .array(array)
            return
        }
        var object = container.objectValue ?? JSONObject()
        container = .null
        var child = object[segment] ?? .object([:])
        if rest.isEmpty { child = value } else { set(value, in: &child, segments: rest) }
        object[segment] = child
        container = .object(object)
    }

    /// True when `path` is well formed and starts at one of the six roots.
    public static func isValidPath(_ path: String) -> Bool {
        segments(of: path) != nil
    }

    /// The segments of a valid path (`trigger.items[0]` → trigger, items, 0), or nil.
    /// Read by Unicode scalar, not by Character: a `.` or `[` followed by a
    /// combining mark (which would join it into one Character) is still syntax.
    static func segments(of path: String) -> [String]? {
        var segments: [String] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(path.unicodeScalars)
        var index = 0
        // After a closing bracket only `.`, `[` or the end may follow.
        var afterBracket = false
        func finish() -> Bool {
            guard isValidSegment(current) else { return false }
            segments.append(String(current))
            current = String.UnicodeScalarView()
            return true
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case ".":
                if afterBracket {
                    afterBracket = false
                } else if !finish() {
                    return nil
                }
                // A dot must be followed by a segment.
                guard index + 1 < scalars.count else { return nil }
            case "[":
                if !afterBracket {
                    guard finish() else { return nil }
                }
                guard let close = scalars[index...].firstIndex(of: "]") else { return nil }
                let inside = scalars[(index + 1)..<close]
                guard !inside.isEmpty, inside.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
                segments.append(String(String.UnicodeScalarView(inside)))
                index = close
                afterBracket = true
            default:
                if afterBracket { return nil }
                current.append(scalar)
            }
            index += 1
        }
        if !afterBracket {
            guard finish() else { return nil }
        }
        guard let first = segments.first, roots.contains(first) else { return nil }
        return segments
    }

    private static func isValidSegment(_ segment: String.UnicodeScalarView) -> Bool {
        guard let first = segment.first, let last = segment.last,
            !first.properties.isWhitespace, !last.properties.isWhitespace
        else { return false }
        return segment.allSatisfy { scalar in
            switch scalar {
            case ".", "[", "]", "{", "}": false
            default: scalar.value >= 0x20 && scalar.value != 0x7F
            }
        }
    }

    private static func index(_ segment: String) -> Int? {
        guard !segment.isEmpty, segment.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(segment)
    }
}
