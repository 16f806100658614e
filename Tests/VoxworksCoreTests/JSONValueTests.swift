import Testing
@testable import VoxworksCore

@Suite("JSONValue serialization and accessors")
struct JSONValueTests {
    let parser = JSONParser()

    // MARK: - Serialization

    @Test func serializesCompactlyInMemberOrder() {
        let value: JSONValue = .object([
            "z": .number("1"),
            "a": .array([.bool(true), .bool(false), .null]),
            "m": .object(["k": .string("v")]),
            "e": .array([]),
            "o": .object([:]),
        ])
        #expect(value.serialized == #"{"z":1,"a":[true,false,null],"m":{"k":"v"},"e":[],"o":{}}"#)
        #expect(value.serializedBytes == Array(#"{"z":1,"a":[true,false,null],"m":{"k":"v"},"e":[],"o":{}}"#.utf8))
    }

    @Test func escapesQuotesBackslashAndNamedControlCharacters() {
        let value: JSONValue = .string("q\"b\\s\n\r\t\u{08}\u{0C}")
        #expect(value.serialized == #""q\"b\\s\n\r\t\b\f""#)
    }

    @Test func escapesOtherControlCharactersAsFourHexDigits() {
        #expect(JSONValue.string("\u{00}").serialized == #""\u0000""#)
        #expect(JSONValue.string("a\u{01}b").serialized == #""a\u0001b""#)
        #expect(JSONValue.string("\u{1F}").serialized == #""\u001f""#)
        #expect(JSONValue.string("\u{0B}").serialized == #""\u000b""#)
    }

    @Test func leavesSlashDelAndNonASCIIUnescaped() {
        #expect(JSONValue.string("a/b\u{7F}é€😀").serialized == "\"a/b\u{7F}é€😀\"")
    }

    @Test func stringsWithoutEscapesKeepEveryScalarEvenACombiningMarkFirst() {
        // Appended whole: the bytes are those of the scalar-by-scalar path.
        let text = "\u{301}e\u{301} 漢字 ok"
        #expect(Array(JSONValue.string(text).serialized.utf8) == Array("\"".utf8) + Array(text.utf8) + Array("\"".utf8))
        #expect(JSONValue.string("\u{301}\"").serialized.unicodeScalars.map(\.value) == [0x22, 0x301, 0x5C, 0x22, 0x22])
    }

    @Test func escapesKeysToo() {
        let value: JSONValue = .object(["a\"b\n": .number("1")])
        #expect(value.serialized == #"{"a\"b\n":1}"#)
    }

    @Test func writeStringAppendsToExistingOutput() {
        var output = "prefix:"
        JSONValue.writeString("x\"y", to: &output)
        #expect(output == #"prefix:"x\"y""#)
    }

    @Test(arguments: [
        #"{"a":1}"#,
        #"{"z":1,"a":{"y":[1,2,{"x":null}],"b":true},"c":false}"#,
        #"{"big":12345678901234567890,"f":-0.000e+10,"s":"\u00e9\ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0001"}"#,
        #"{"dup":1,"dup":2}"#,
        " { \"spaced\" : [ 1 , 2 ] } ",
        "{\"raw\":\"ß€😀\u{7F}\"}",
    ])
    func roundTripsThroughSerialization(input: String) throws {
        let first = try parser.parse(input)
        let text = first.serialized
        let second = try parser.parse(text)
        #expect(second == first)
        // Serializing again is stable.
        #expect(second.serialized == text)
    }

    @Test func roundTripKeepsEscapedContentExactly() throws {
        let original: JSONValue = .object([
            "s": .string("\"\\\u{00}\u{1F}\n\u{2028}end"),
            "n": .number("12345678901234567890"),
        ])
        let text = original.serialized
        #expect(text == #"{"s":"\"\\\u0000\u001f\n"# + "\u{2028}" + #"end","n":12345678901234567890}"#)
        #expect(try parser.parse(text) == original)
    }

    // MARK: - Literals and helpers

    @Test func literalsBuildTheExpectedCases() {
        let string: JSONValue = "text"
        let bool: JSONValue = true
        let int: JSONValue = 42
        let null: JSONValue = nil
        #expect(string == .string("text"))
        #expect(bool == .bool(true))
        #expect(int == .number("42"))
        #expect(null == .null)
        #expect(Optional<String>.none.json == .null)
        #expect(Optional("x").json == .string("x"))
    }

    @Test func intAndDoubleFactories() {
        #expect(JSONValue.int(-7) == .number("-7"))
        #expect(JSONValue.double(3) == .number("3"))
        #expect(JSONValue.double(-2.5) == .number("-2.5"))
        #expect(JSONValue.double(.infinity) == .null)
        #expect(JSONValue.double(.nan) == .null)
    }

    @Test func numericAccessors() {
        #expect(JSONValue.number("42").intValue == 42)
        #expect(JSONValue.number("1e3").intValue == 1000)
        #expect(JSONValue.number("1.5").intValue == nil)
        // Too large for an Int and for an exact Double: no silent rounding.
        #expect(JSONValue.number("12345678901234567890").intValue == nil)
        #expect(JSONValue.number("1.5").doubleValue == 1.5)
        #expect(JSONValue.string("1").intValue == nil)
    }

    @Test func typedAccessorsReturnNilForOtherCases() {
        let value: JSONValue = .object(["a": .array([.null])])
        #expect(value.objectValue?.keys == ["a"])
        #expect(value.arrayValue == nil)
        #expect(value.stringValue == nil)
        #expect(value.boolValue == nil)
        #expect(value["a"]?.arrayValue == [.null])
        #expect(value["a"]?.arrayValue?.first?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([])["a"] == nil)
    }

    @Test func objectEqualityDependsOnOrder() {
        let ab: JSONObject = ["a": .number("1"), "b": .number("2")]
        let ba: JSONObject = ["b": .number("2"), "a": .number("1")]
        #expect(ab != ba)
        #expect(ab == ["a": .number("1"), "b": .number("2")])
    }

    @Test func objectSubscriptSetUpdatesAppendsAndRemoves() {
        var object: JSONObject = ["a": .number("1"), "b": .number("2")]
        object["a"] = .number("9")
        object["c"] = .string("new")
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["a"] == .number("9"))
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(JSONValue.object(object).serialized == #"{"a":9,"c":"new"}"#)
    }
}
