import Testing
import VoxworksCore
@testable import VoxworksServer

/// The console's bounded JSON rendering, on its own.
@Suite struct ConsoleJSONWriterTests {
    static func value() throws -> JSONValue {
        try JSONParser().parse(
            #"{"name":"Ada 🦊 Lovelace","tags":["a","b\"c"],"deep":[[[[{"x":null,"y":true,"z":1.5e3}]]]],"empty":{},"none":[]}"#)
    }

    @Test func uncutItIsTheIndentedJSONThatParsesBackToTheSameValue() throws {
        let value = try Self.value()
        let whole = ConsoleJSONWriter.render(value, maxBytes: .max)
        #expect(!whole.isCut)
        #expect(whole.text.contains("\n  \"name\": \"Ada 🦊 Lovelace\",\n"))
        #expect(whole.text.contains("\"b\\\"c\""))
        #expect(try JSONParser().parse(whole.text) == value)
    }

    /// At every cut point: valid UTF-8 (no scalar split), at most the limit
    /// before the marker, and the marker's N exactly what was left out.
    @Test func everyCutKeepsWholeScalarsAndCountsTheRestExactly() throws {
        let value = try Self.value()
        let whole = ConsoleJSONWriter.render(value, maxBytes: .max).text
        let total = whole.utf8.count
        #expect(total > 100)
        for limit in 0..<total {
            let cut = ConsoleJSONWriter.render(value, maxBytes: limit)
            #expect(cut.isCut)
            let marker = try #require(cut.text.firstMatch(of: /\n?… ([0-9]+) more bytes$/))
            let shown = cut.text[..<marker.range.lowerBound]
            let more = try #require(Int(marker.output.1))
            #expect(shown.utf8.count <= limit, "limit \(limit)")
            #expect(shown.utf8.count + more == total, "limit \(limit)")
            #expect(whole.hasPrefix(shown), "limit \(limit)")
            #expect(!shown.unicodeScalars.contains("\u{FFFD}"), "limit \(limit)")
        }
    }

    @Test func indentationStopsGrowingPastThirtyTwoLevels() throws {
        let depth = 60
        let nested = try JSONParser().parse(String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth))
        let text = ConsoleJSONWriter.render(nested, maxBytes: .max).text
        let lines = text.split(separator: "\n" as Character)
        let widest = lines.map { line -> Int in line.prefix(while: { (c: Character) in c == " " }).count }.max()
        #expect(widest == 2 * ConsoleJSONWriter.maxIndentDepth)
        #expect(try JSONParser().parse(text) == nested)
    }

    @Test func theEscapingReplacesSyntaxScalarByScalar() {
        #expect(ConsoleHTMLContentType.escape("a\"\u{301}b") == "a&quot;\u{301}b")
        #expect(ConsoleHTMLContentType.escape("\u{600}<x\u{600}>") == "\u{600}&lt;x\u{600}&gt;")
        #expect(ConsoleHTMLContentType.escape("'\u{301}&<\u{20D2}") == "&#39;\u{301}&amp;&lt;\u{20D2}")
        #expect(ConsoleHTMLContentType.escape("plain ü 🦊") == "plain ü 🦊")
    }
}
