import Foundation
import Testing
@testable import VoxworksCore

/// Runs `body` and returns the typed parse error it threw, or nil when it succeeded.
private func parseError(_ body: () throws(JSONParseError) -> Void) -> JSONParseError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
    parseError { () throws(JSONParseError) in _ = try JSONParser().parse(bytes) }
}

private func parseError(_ text: String) -> JSONParseError? {
    parseError(Array(text.utf8))
}

private func validateError(_ bytes: [UInt8]) -> JSONParseError? {
    parseError { () throws(JSONParseError) in try JSONParser().validateObject(bytes) }
}

private func validateError(_ text: String) -> JSONParseError? {
    validateError(Array(text.utf8))
}

/// `{"a":"` + bytes + `"}`: puts raw bytes inside a string value, starting at offset 6.
private func objectWithStringBytes(_ bytes: [UInt8]) -> [UInt8] {
    Array(#"{"a":""#.utf8) + bytes + Array(#""}"#.utf8)
}

private func nestedArrays(_ depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
}

private func nestedObjects(_ depth: Int) -> String {
    // depth 1 is `{"a":1}`, depth 2 is `{"a":{"a":1}}`, …
    String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
}

@Suite("JSONParser")
struct JSONParserTests {
    let parser = JSONParser()

    // MARK: - Valid documents

    @Test func parsesFlatObjectWithEveryScalarKind() throws {
        let value = try parser.parse(#"{"s":"x","n":-1.5e+3,"t":true,"f":false,"z":null}"#)
        let expected: JSONValue = .object([
            "s": .string("x"),
            "n": .number("-1.5e+3"),
            "t": .bool(true),
            "f": .bool(false),
            "z": .null,
        ])
        #expect(value == expected)
    }

    @Test func parsesNestedObjectsAndArrays() throws {
        let value = try parser.parse(#"{"a":{"b":[1,{"c":[]},{}],"d":{"e":"f"}}}"#)
        let expected: JSONValue = .object([
            "a": .object([
                "b": .array([.number("1"), .object(["c": .array([])]), .object([:])]),
                "d": .object(["e": .string("f")]),
            ])
        ])
        #expect(value == expected)
        #expect(value["a"]?["d"]?["e"]?.stringValue == "f")
        #expect(value["a"]?["b"]?.arrayValue?.count == 3)
    }

    @Test func toleratesWhitespaceEverywhereJSONAllowsIt() throws {
        let value = try parser.parse(" \t\r\n{ \"a\" :\n[ 1 , 2 ] ,\t\"b\" : { } } \n")
        #expect(value == .object(["a": .array([.number("1"), .number("2")]), "b": .object([:])]))
    }

    @Test func decodesSimpleEscapes() throws {
        let value = try parser.parse(#"{"k":"\"\\\/\b\f\n\r\t"}"#)
        #expect(value["k"] == .string("\"\\/\u{08}\u{0C}\n\r\t"))
    }

    @Test func decodesUnicodeEscapes() throws {
        let value = try parser.parse(#"{"a":"caf\u00e9","b":"\u20AC","c":"\u0041\u0000z"}"#)
        #expect(value["a"] == .string("café"))
        #expect(value["b"] == .string("€"))
        #expect(value["c"] == .string("A\u{0}z"))
    }

    @Test func decodesSurrogatePairEscapes() throws {
        let value = try parser.parse(#"{"emoji":"\ud83d\ude00","clef":"x\uD834\uDD1Ey"}"#)
        #expect(value["emoji"] == .string("😀"))
        #expect(value["emoji"]?.stringValue?.unicodeScalars.map(\.value) == [0x1F600])
        #expect(value["clef"] == .string("x\u{1D11E}y"))
    }

    @Test func acceptsRawMultiByteUTF8() throws {
        // 2-, 3- and 4-byte sequences, in a key and in a value.
        let value = try parser.parse("{\"clé\":\"ß€😀\u{10FFFF}\"}")
        #expect(value.objectValue?.keys == ["clé"])
        #expect(value["clé"] == .string("ß€😀\u{10FFFF}"))
    }

    @Test func keepsNumbersAsTheirLiteralText() throws {
        let value = try parser.parse(#"{"big":12345678901234567890,"neg":-0,"frac":0.10,"exp":1E5,"expSigned":-2.50e-007}"#)
        #expect(value["big"] == .number("12345678901234567890"))
        #expect(value["neg"] == .number("-0"))
        #expect(value["frac"] == .number("0.10"))
        #expect(value["exp"] == .number("1E5"))
        #expect(value["expSigned"] == .number("-2.50e-007"))
        #expect(value.serialized == #"{"big":12345678901234567890,"neg":-0,"frac":0.10,"exp":1E5,"expSigned":-2.50e-007}"#)
    }

    @Test func keepsKeyOrderAsSent() throws {
        let object = try parser.parseObject(Array(#"{"zeta":1,"alpha":2,"mid":3,"beta":4}"#.utf8))
        #expect(object.keys == ["zeta", "alpha", "mid", "beta"])
        #expect(object.members.map(\.value) == [.number("1"), .number("2"), .number("3"), .number("4")])
    }

    @Test func keepsDuplicateKeysAndTheLastOneWinsOnLookup() throws {
        let object = try parser.parseObject(Array(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(object.count == 3)
        #expect(object.keys == ["a", "b", "a"])
        #expect(object["a"] == .number("3"))
    }

    @Test func parsesTopLevelNonObjectsWithParse() throws {
        #expect(try parser.parse("[1,\"a\"]") == .array([.number("1"), .string("a")]))
        #expect(try parser.parse("\"hi\"") == .string("hi"))
        #expect(try parser.parse(" 42 ") == .number("42"))
        #expect(try parser.parse("null") == .null)
        #expect(try parser.parse("true") == .bool(true))
    }

    @Test func acceptsDataAndNonContiguousCollections() throws {
        let text = #"{"a":[1,2],"b":"c"}"#
        let fromData = try parser.parse(Data(text.utf8))
        // A lazy map has no contiguous storage: the parser must copy it first.
        let fromLazy = try parser.parse(Array(text.utf8).lazy.map { $0 })
        // A slice whose indices do not start at zero: offsets are still from its start.
        let padded = Array(("xx" + text).utf8)[2...]
        let expected: JSONValue = .object(["a": .array([.number("1"), .number("2")]), "b": .string("c")])
        #expect(fromData == expected)
        #expect(try parser.parse(padded) == expected)
        #expect(
            parseError { () throws(JSONParseError) in _ = try JSONParser().parse(Array("xx{\"a\":}".utf8)[2...]) } == .malformed(offset: 5))
        #expect(fromLazy == expected)
    }

    @Test func validateObjectAcceptsWhatParseObjectAccepts() throws {
        let bytes = Array(#" {"a":[1,{"b":null}],"c":"\u00e9"} "#.utf8)
        try parser.validateObject(bytes)
        let object = try parser.parseObject(bytes)
        #expect(object.keys == ["a", "c"])
        #expect(object["c"] == .string("é"))
    }

    // MARK: - Malformed input with exact offsets

    @Test(arguments: [
        (#"{"a":}"#, 5),  // value missing
        (#"{"a" 1}"#, 5),  // colon missing
        (#"{"a":1,}"#, 7),  // trailing comma
        (#"{"a":tru}"#, 8),  // broken literal: first byte that differs
        (#"{"a":1 "b":2}"#, 7),  // comma missing
        (#"{a:1}"#, 1),  // unquoted key
        (#"{"a":'x'}"#, 5),  // single quotes
        (#"{"a":1.}"#, 7),  // no digit after the point
        (#"{"a":.5}"#, 5),  // no digit before the point
        (#"{"a":1e}"#, 7),  // no exponent digits
        (#"{"a":+1}"#, 5),  // leading plus
        (#"{"a":"\x"}"#, 7),  // unknown escape: offset of the escape letter
        (#"{"a":"\u12G4"}"#, 10),  // bad hex digit
        (#"{"a":"x"#, 7),  // unterminated string: the end of the input
        (#"{"a":1"#, 6),  // unterminated object
        ("", 0),  // empty document
        ("   ", 3),  // only whitespace
    ])
    func malformedReportsExactByteOffset(input: String, offset: Int) {
        #expect(parseError(input) == .malformed(offset: offset))
    }

    @Test func malformedMessageNamesTheByte() {
        let error = parseError(#"{"a":}"#)
        #expect(error?.message == "Malformed JSON at byte 5")
    }

    @Test func rejectsTrailingGarbage() {
        #expect(parseError(#"{"a":1} x"#) == .malformed(offset: 8))
        #expect(parseError(#"{"a":1}}"#) == .malformed(offset: 7))
        #expect(parseError(#"{"a":1}{"b":2}"#) == .malformed(offset: 7))
        #expect(validateError(#"{"a":1},"#) == .malformed(offset: 7))
        #expect(parseError("[1] 2") == .malformed(offset: 4))
    }

    @Test func rejectsLeadingZeros() {
        #expect(parseError("01") == .malformed(offset: 1))
        #expect(parseError(#"{"a":01}"#) == .malformed(offset: 6))
        #expect(parseError(#"{"a":-01}"#) == .malformed(offset: 7))
        #expect(parseError(#"{"a":00.5}"#) == .malformed(offset: 6))
        // A single zero, and zero with a fraction or exponent, are fine.
        #expect(parseError(#"{"a":0,"b":0.5,"c":-0e1}"#) == nil)
    }

    @Test func rejectsUnescapedControlCharactersInStrings() {
        // `{"a":"x` is 7 bytes; the control byte is at offset 7.
        for control: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
            let bytes = objectWithStringBytes([UInt8(ascii: "x"), control])
            #expect(parseError(bytes) == .malformed(offset: 7), "control byte \(control)")
        }
        // In a key too.
        #expect(parseError([0x7B, 0x22, 0x0A, 0x22, 0x3A, 0x31, 0x7D]) == .malformed(offset: 2))
        // DEL (0x7F) is not a control character for JSON.
        #expect(parseError(objectWithStringBytes([0x7F])) == nil)
    }

    @Test func rejectsLoneSurrogateEscapes() {
        // Lone high surrogate followed by the closing quote: offset just after its four hex digits.
        #expect(parseError(#"{"a":"\ud83d"}"#) == .malformed(offset: 12))
        // High surrogate followed by a non-low-surrogate escape.
        #expect(parseError(#"{"a":"\ud83d\u0041"}"#) == .malformed(offset: 18))
        // Lone low surrogate.
        #expect(parseError(#"{"a":"\ude00"}"#) == .malformed(offset: 12))
    }

    // MARK: - Invalid UTF-8

    @Test func rejectsOverlongEncoding() {
        let bytes = objectWithStringBytes([0xC0, 0x80])
        #expect(parseError(bytes) == .invalidUTF8(offset: 6))
        #expect(validateError(bytes) == .invalidUTF8(offset: 6))
        // Overlong 3-byte form of '/' (E0 80 AF) as well.
        #expect(parseError(objectWithStringBytes([0x61, 0xE0, 0x80, 0xAF])) == .invalidUTF8(offset: 7))
    }

    @Test func rejectsLoneContinuationByte() {
        #expect(parseError(objectWithStringBytes([0x80])) == .invalidUTF8(offset: 6))
        #expect(parseError(objectWithStringBytes([0x61, 0x62, 0xBF])) == .invalidUTF8(offset: 8))
    }

    @Test func rejectsEncodedSurrogate() {
        #expect(parseError(objectWithStringBytes([0xED, 0xA0, 0x80])) == .invalidUTF8(offset: 6))
        #expect(parseError(objectWithStringBytes([0xED, 0xBF, 0xBF])) == .invalidUTF8(offset: 6))
        // U+D7FF, just below the surrogates, is fine.
        #expect(parseError(objectWithStringBytes([0xED, 0x9F, 0xBF])) == nil)
    }

    @Test func rejectsTruncatedSequence() {
        // Three-byte lead with one continuation, then the closing quote.
        #expect(parseError(objectWithStringBytes([0xE2, 0x82])) == .invalidUTF8(offset: 6))
        // Four-byte lead with two continuations.
        #expect(parseError(objectWithStringBytes([0xF0, 0x9F, 0x98])) == .invalidUTF8(offset: 6))
        // Truncated at the very end of the buffer.
        #expect(parseError(Array(#"{"a":""#.utf8) + [0xE2]) == .invalidUTF8(offset: 6))
    }

    @Test func rejectsCodePointsAboveU10FFFFAndInvalidLeadBytes() {
        #expect(parseError(objectWithStringBytes([0xF4, 0x90, 0x80, 0x80])) == .invalidUTF8(offset: 6))
        #expect(parseError(objectWithStringBytes([0xF5, 0x80, 0x80, 0x80])) == .invalidUTF8(offset: 6))
        #expect(parseError(objectWithStringBytes([0xFF])) == .invalidUTF8(offset: 6))
    }

    @Test func rejectsInvalidUTF8InAKey() {
        let bytes: [UInt8] = [0x7B, 0x22, 0x61, 0xC0, 0x80, 0x22, 0x3A, 0x31, 0x7D]  // {"a<C0 80>":1}
        #expect(parseError(bytes) == .invalidUTF8(offset: 3))
    }

    @Test func invalidUTF8MessageNamesTheByte() {
        #expect(parseError(objectWithStringBytes([0x80]))?.message == "Request body is not valid UTF-8 (byte 6)")
    }

    // MARK: - Depth

    @Test func acceptsDepth64() throws {
        let arrays = try parser.parse(nestedArrays(64))
        var level = 0
        var current = arrays
        while let inner = current.arrayValue {
            level += 1
            guard let first = inner.first else { break }
            current = first
        }
        #expect(level == 64)
        #expect(parseError(nestedObjects(64)) == nil)
        #expect(validateError(nestedObjects(64)) == nil)
    }

    @Test func rejectsDepth65() {
        #expect(parseError(nestedArrays(65)) == .tooDeep(limit: 64))
        #expect(parseError(nestedObjects(65)) == .tooDeep(limit: 64))
        #expect(validateError(nestedObjects(65)) == .tooDeep(limit: 64))
        #expect(validateError(nestedObjects(65))?.message == "JSON is nested deeper than 64 levels")
    }

    @Test func rejectsTenThousandLevelsWithoutCrashing() {
        #expect(parseError(nestedArrays(10_000)) == .tooDeep(limit: 64))
        #expect(parseError(String(repeating: "[", count: 10_000)) == .tooDeep(limit: 64))
        #expect(validateError(nestedObjects(10_000)) == .tooDeep(limit: 64))
        #expect(validateError(String(repeating: #"{"a":["#, count: 5_000)) == .tooDeep(limit: 64))
    }

    @Test func honoursACustomDepthLimit() {
        let shallow = JSONParser(maxDepth: 2)
        #expect(parseError { () throws(JSONParseError) in _ = try shallow.parse(Array(#"{"a":[1]}"#.utf8)) } == nil)
        #expect(parseError { () throws(JSONParseError) in _ = try shallow.parse(Array(#"{"a":[[1]]}"#.utf8)) } == .tooDeep(limit: 2))
        #expect(JSONParser.defaultMaxDepth == 64)
    }

    // MARK: - Object required

    @Test(arguments: ["[1,2]", "[]", #""text""#, "42", "-1.5", "null", "true", " [ ] "])
    func validateObjectRejectsNonObjects(input: String) {
        #expect(validateError(input) == .notAnObject)
    }

    @Test func parseObjectRejectsNonObjects() {
        let error = parseError { () throws(JSONParseError) in _ = try JSONParser().parseObject(Array("[1]".utf8)) }
        #expect(error == .notAnObject)
        #expect(error?.message == "Request body must be a JSON object")
    }

    @Test func validateObjectOnEmptyBodyIsMalformedAtZero() {
        #expect(validateError("") == .malformed(offset: 0))
        #expect(validateError("  \n") == .malformed(offset: 3))
    }

    /// The parser's own comment says a well-formed non-object and garbage are both
    /// 400s "but the message should say which", and the webhook reference asks for a message
    /// that says which. Garbage that does not start with `{` must therefore be
    /// reported as malformed (or invalid UTF-8), not as "must be a JSON object".
    @Test func validateObjectTellsGarbageApartFromANonObject() {
        #expect(validateError("[1,") == .malformed(offset: 3))
        #expect(validateError("hello") == .malformed(offset: 0))
        #expect(validateError([0x22, 0xC0, 0x80, 0x22]) == .invalidUTF8(offset: 1))
    }
}
