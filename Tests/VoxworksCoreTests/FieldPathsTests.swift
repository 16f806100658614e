import Foundation
import Testing
import VoxworksCore

@Suite struct FieldPathsTests {
    @Test func pathsFollowTheDocumentWithArraysAsTheirFirstElement() throws {
        let value = try JSONParser().parse(Array(#"{"a":{"b":1,"c":[{"d":true}]},"e":"x"}"#.utf8))
        #expect(
            value.fieldPaths(prefix: "trigger") == [
                "trigger.a", "trigger.a.b", "trigger.a.c", "trigger.a.c.0", "trigger.a.c.0.d", "trigger.e",
            ])
        #expect(value.fieldPaths(prefix: "") == ["a", "a.b", "a.c", "a.c.0", "a.c.0.d", "e"])
    }

    /// The probe's body: one 60,000-character key holding 60,000 empty
    /// keys. Paths used to copy the long prefix into every child (100 MB).
    @Test func aLongPrefixOverManyKeysStaysBounded() throws {
        var body = "{\"" + String(repeating: "k", count: 60_000) + "\":{"
        body += (0..<60_000).map { "\"\($0)\":1" }.joined(separator: ",")
        body += "}}"
        let value = try JSONParser().parse(Array(body.utf8))
        let started = ContinuousClock.now
        let paths = value.fieldPaths(prefix: "trigger")
        let elapsed = ContinuousClock.now - started
        // The long key itself is over the length cap, so nothing under it is listed.
        #expect(paths.isEmpty)
        // Unbounded, this built 60,000 paths of 60,000 bytes (3.6 GB).
        #expect(elapsed < .seconds(10), "took \(elapsed)")
    }

    @Test func manyKeysAreCappedInCountAndLength() throws {
        let prefix = String(repeating: "p", count: 200)
        var body = "{\"" + prefix + "\":{"
        body += (0..<10_000).map { "\"key\($0)\":{\"x\":1}" }.joined(separator: ",")
        body += "}}"
        let value = try JSONParser().parse(Array(body.utf8))
        let paths = value.fieldPaths(prefix: "trigger")
        #expect(paths.count == JSONValue.maxFieldPaths)
        #expect(paths.first == "trigger." + prefix)
        #expect(paths.allSatisfy { $0.utf8.count <= JSONValue.maxFieldPathBytes })
        // Depth first: the first key's child follows the key.
        #expect(paths.dropFirst().prefix(2) == ["trigger.\(prefix).key0", "trigger.\(prefix).key0.x"])
    }

    @Test func deepNestingIsBoundedByTheLengthCap() throws {
        let key = String(repeating: "a", count: 50)
        let depth = 60
        let body = String(repeating: "{\"\(key)\":", count: depth) + "1" + String(repeating: "}", count: depth)
        let value = try JSONParser().parse(Array(body.utf8))
        let paths = value.fieldPaths(prefix: "trigger")
        // "trigger" plus four ".<50 characters>" levels fit in 256 bytes; the fifth does not.
        #expect(paths.count == 4)
        #expect(paths.allSatisfy { $0.utf8.count <= JSONValue.maxFieldPathBytes })
    }

    /// Every level as wide as the cap, as deep as the parser allows (64):
    /// building each visited object's child paths at once built about
    /// 30,000 paths here to list 500.
    @Test func wideLevelsAllTheWayDownStillListTheCapInDocumentOrder() throws {
        let depth = 60
        let siblings = String(repeating: ",\"\":0", count: 499)
        let body = String(repeating: "{\"\":", count: depth) + "0" + String(repeating: siblings + "}", count: depth)
        let value = try JSONParser().parse(Array(body.utf8))
        let started = ContinuousClock.now
        let paths = value.fieldPaths(prefix: "trigger")
        let elapsed = ContinuousClock.now - started
        #expect(paths.count == JSONValue.maxFieldPaths)
        // Straight down the first members, then the deepest level's siblings.
        let expectedStart = (1...depth).map { "trigger" + String(repeating: ".", count: $0) }
        let followsTheDocument =
            Array(paths.prefix(depth)) == expectedStart
            && paths.dropFirst(depth).prefix(499).allSatisfy { $0 == expectedStart.last }
        #expect(followsTheDocument)
        #expect(paths.allSatisfy { $0.utf8.count <= JSONValue.maxFieldPathBytes })
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }
}
