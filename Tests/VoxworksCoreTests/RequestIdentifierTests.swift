import Testing
@testable import VoxworksCore

@Suite("RequestIdentifier")
struct RequestIdentifierTests {
    @Test(arguments: ["abc", "req-123_ABC.def:9", "550e8400-e29b-41d4-a716-446655440000", "x"])
    func saneIdsAreEchoed(incoming: String) {
        #expect(RequestIdentifier.accept(incoming) == incoming)
    }

    @Test func lengthLimitIs128() {
        let max = String(repeating: "a", count: 128)
        #expect(RequestIdentifier.accept(max) == max)
        #expect(RequestIdentifier.accept(String(repeating: "a", count: 129)) == nil)
    }

    @Test(arguments: ["", " ", "a b", "a/b", "a\nb", "<script>", "id;drop", "clé", "a\"b", "tab\t"])
    func unsafeIdsAreReplaced(incoming: String) {
        #expect(RequestIdentifier.accept(incoming) == nil)
    }

    @Test func missingIdIsReplaced() {
        #expect(RequestIdentifier.accept(nil) == nil)
    }

    @Test func generatedIdIs24LowercaseHexAndAcceptable() {
        let id = RequestIdentifier.generate()
        #expect(id.count == 24)
        #expect(id.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(RequestIdentifier.accept(id) == id)
        #expect(RequestIdentifier.generate() != id)
    }
}
