/// Why a body is not acceptable JSON, with the byte offset a sender can use
/// to find the problem.
public enum JSONParseError: Error, Sendable, Equatable {
    case malformed(offset: Int)
    case invalidUTF8(offset: Int)
    case tooDeep(limit: Int)
    case notAnObject

    /// The sentence the contract returns in a `400`.
    public var message: String {
        switch self {
        case .malformed(let offset): "Malformed JSON at byte \(offset)"
        case .invalidUTF8(let offset): "Request body is not valid UTF-8 (byte \(offset))"
        case .tooDeep(let limit): "JSON is nested deeper than \(limit) levels"
        case .notAnObject: "Request body must be a JSON object"
        }
    }
}

/// A strict RFC 8259 parser over raw bytes.
///
/// It exists (rather than Foundation's JSONSerialization) because the webhook
/// path needs byte offsets in errors, a hard depth limit that cannot overflow
/// the stack, UTF-8 validation, and a validate-only mode that allocates
/// nothing for the values.
public struct JSONParser: Sendable {
    public static let defaultMaxDepth = 64

    public var maxDepth: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Parses a complete document.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try run(bytes, build: true, requireObject: false)
    }

    /// Parses a document that must be an object.
    public func parseObject(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONObject {
        let value = try run(bytes, build: true, requireObject: true)
        guard case .object(let object) = value else { throw .notAnObject }
        return object
    }

    /// Checks that the bytes are one JSON object, without building it.
    public func validateObject(_ bytes: some Collection<UInt8>) throws(JSONParseError) {
        _ = try run(bytes, build: false, requireObject: true)
    }

    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private func run(_ bytes: some Collection<UInt8>, build: Bool, requireObject: Bool) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> =
            bytes.withContiguousStorageIfAvailable { buffer in
                Self.scan(buffer, build: build, requireObject: requireObject, maxDepth: maxDepth)
            }
            ?? Array(bytes).withUnsafeBufferPointer { buffer in
                Self.scan(buffer, build: build, requireObject: requireObject, maxDepth: maxDepth)
            }
        return try result.get()
    }

    private static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>, build: Bool, requireObject: Bool, maxDepth: Int
    ) -> Result<JSONValue, JSONParseError> {
        var scanner = Scanner(bytes: buffer, build: build, maxDepth: maxDepth)
        do {
            scanner.skipWhitespace()
            if requireObject {
                guard scanner.position < buffer.count else { return .failure(.malformed(offset: scanner.position)) }
                if buffer[scanner.position] != UInt8(ascii: "{") {
                    // Tell a well-formed non-object apart from garbage: both are 400s,
                    // but the message should say which.
                    var probe = Scanner(bytes: buffer, build: false, maxDepth: maxDepth)
                    probe.skipWhitespace()
                    _ = try probe.parseValue(depth: 0)
                    probe.skipWhitespace()
                    guard probe.position == buffer.count else { throw JSONParseError.malformed(offset: probe.position) }
                    return .failure(.notAnObject)
                }
            }
            let value = try scanner.parseValue(depth: 0)
            scanner.skipWhitespace()
            guard scanner.position == buffer.count else { throw JSONParseError.malformed(offset: scanner.position) }
            return .success(value)
        } catch let error as JSONParseError {
            return .failure(error)
        } catch {
            return .failure(.malformed(offset: scanner.position))
        }
    }
}

private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let build: Bool
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, build: Bool, maxDepth: Int) {
        self.bytes = bytes
        self.build = build
        self.maxDepth = maxDepth
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func fail() -> JSONParseError { .malformed(offset: position) }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw fail() }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail()
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail() }
        let start = literal.utf8Start
        for i in 0..<count where bytes[position + i] != start[i] {
            position += i
            throw fail()
        }
        position += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        position += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return build ? .object(JSONObject(members)) : .null
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail() }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail() }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if build { members.append((key: key, value: value)) }
            skipWhitespace()
            guard position < bytes.count else { throw fail() }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; break }
            throw fail()
        }
        return build ? .object(JSONObject(members)) : .null
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return build ? .array(elements) : .null
        }
        while true {
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if build { elements.append(value) }
            skipWhitespace()
            guard position < bytes.count else { throw fail() }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; break }
            throw fail()
        }
        return build ? .array(elements) : .null
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw fail() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(bytes[position]) {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        } else {
            throw fail()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail() }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail() }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        guard build else { return .null }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Parses a string starting at its opening quote, validating UTF-8 and escapes.
    mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        var scalars = build ? [UInt8]() : []
        var runStart = position
        while true {
            guard position < bytes.count else { throw fail() }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if build { scalars.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
                position += 1
                return build ? String(decoding: scalars, as: UTF8.self) : ""
            }
            if byte == UInt8(ascii: "\\") {
                if build { scalars.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
                try parseEscape(into: &scalars)
                runStart = position
                continue
            }
            if byte < 0x20 { throw fail() }
            if byte < 0x80 { position += 1; continue }
            try skipUTF8Sequence()
        }
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(JSONParseError) {
        position += 1  // backslash
        guard position < bytes.count else { throw fail() }
        let escaped = bytes[position]
        position += 1
        let simple: UInt8? =
            switch escaped {
            case UInt8(ascii: "\""): 0x22
            case UInt8(ascii: "\\"): 0x5C
            case UInt8(ascii: "/"): 0x2F
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            if build { output.append(simple) }
            return
        }
        guard escaped == UInt8(ascii: "u") else { position -= 1; throw fail() }
        var scalar = try parseHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw fail() }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail() }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail()
        }
        if build, let unicode = Unicode.Scalar(scalar) {
            output.append(contentsOf: Array(String(Character(unicode)).utf8))
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw fail()
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let start = position
        let lead = bytes[position]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw .invalidUTF8(offset: start)
        }
        guard start + length <= bytes.count else { throw .invalidUTF8(offset: start) }
        let second = bytes[start + 1]
        guard second >= lower, second <= upper else { throw .invalidUTF8(offset: start) }
        for i in 2..<max(2, length) {
            guard bytes[start + i] & 0xC0 == 0x80 else { throw .invalidUTF8(offset: start) }
        }
        position += length
    }
}
