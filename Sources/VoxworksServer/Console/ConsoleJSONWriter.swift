import VoxworksCore

/// A value as the console shows it: the text, and whether it was cut (then
/// the text ends with `Truncation.marker(moreBytes:)` and the page links to
/// the whole value as raw JSON).
struct ConsoleRendered {
    var text: String
    var isCut: Bool
}

/// Indented JSON with bounded output: a sender's payload of 1 MB must not
/// become a page of 64 MB. Indentation stops growing past `maxIndentDepth`
/// (deep nesting would otherwise add two spaces per level to every line),
/// and at most `limit` bytes are written: past it the writer only counts
/// what it would have written, for the "… N more bytes" marker, allocating
/// nothing. Counting is linear in the value, which its parsing already was.
struct ConsoleJSONWriter {
    /// Levels past this one are indented like this one.
    static let maxIndentDepth = 32
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 2 * (maxIndentDepth + 1))

    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// Bytes past the limit (counted, not written).
    private(set) var overflow = 0
    private var full = false

    init(limit: Int) {
        self.limit = max(0, limit)
        bytes.reserveCapacity(min(self.limit, 64 * 1024))
    }

    /// `value` rendered into at most `maxBytes` bytes (plus the marker when cut).
    static func render(_ value: JSONValue, maxBytes: Int) -> ConsoleRendered {
        var writer = ConsoleJSONWriter(limit: maxBytes)
        writer.write(value, depth: 0)
        return writer.finished()
    }

    func finished() -> ConsoleRendered {
        let text = String(decoding: bytes, as: UTF8.self)
        guard overflow > 0 else { return ConsoleRendered(text: text, isCut: false) }
        return ConsoleRendered(text: text + (bytes.isEmpty ? "" : "\n") + Truncation.marker(moreBytes: overflow), isCut: true)
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            append("[\n")
            for (index, element) in elements.enumerated() {
                indent(depth + 1)
                write(element, depth: depth + 1)
                append(index == elements.count - 1 ? "\n" : ",\n")
            }
            indent(depth)
            append("]")
        case .object(let object) where object.count > 0:
            append("{\n")
            for (index, member) in object.members.enumerated() {
                indent(depth + 1)
                string(member.key)
                append(": ")
                write(member.value, depth: depth + 1)
                append(index == object.count - 1 ? "\n" : ",\n")
            }
            indent(depth)
            append("}")
        case .array: append("[]")
        case .object: append("{}")
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let literal): append(literal)
        case .string(let text): string(text)
        }
    }

    private mutating func indent(_ depth: Int) {
        let count = 2 * min(depth, Self.maxIndentDepth)
        if full {
            overflow += count
        } else {
            append(Self.spaces[0..<count])
        }
    }

    private mutating func string(_ text: String) {
        if full {
            overflow += Self.escapedLength(text)
            return
        }
        var quoted = ""
        JSONValue.writeString(text, to: &quoted)
        append(quoted)
    }

    private mutating func append(_ text: String) {
        if full {
            overflow += text.utf8.count
        } else {
            append(text.utf8)
        }
    }

    private mutating func append<Bytes: Collection<UInt8>>(_ piece: Bytes) {
        if full {
            overflow += piece.count
            return
        }
        let room = limit - bytes.count
        if piece.count <= room {
            bytes.append(contentsOf: piece)
            return
        }
        // The cut: keep what fits, backing up to the start of a scalar so no character is split.
        let array = Array(piece)
        var kept = room
        while kept > 0, UTF8.isContinuation(array[kept]) { kept -= 1 }
        bytes.append(contentsOf: array[0..<kept])
        overflow += array.count - kept
        full = true
    }

    /// The length of `text` as `JSONValue.writeString` writes it, quotes included.
    static func escapedLength(_ text: String) -> Int {
        var length = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: length += 2
            case ..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }
}
