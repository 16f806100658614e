import Testing
@testable import VoxworksCore

@Suite("IdempotencyKey")
struct IdempotencyKeyTests {
    @Test func rejectsEmpty() {
        #expect(!IdempotencyKey.isValid(""))
    }

    @Test func lengthLimitIs255Bytes() {
        #expect(IdempotencyKey.isValid("a"))
        #expect(IdempotencyKey.isValid(String(repeating: "k", count: 255)))
        #expect(!IdempotencyKey.isValid(String(repeating: "k", count: 256)))
    }

    @Test(arguments: [" ", "a b", " leading", "trailing ", "tab\tinside", "new\nline", "del\u{7F}", "nul\u{0}"])
    func rejectsSpaceAndControlCharacters(key: String) {
        #expect(!IdempotencyKey.isValid(key))
    }

    @Test(arguments: ["clé", "ключ", "key-😀", "\u{A0}nbsp"])
    func rejectsNonASCII(key: String) {
        #expect(!IdempotencyKey.isValid(key))
    }

    @Test func acceptsEveryVisibleASCIICharacter() {
        let visible = String(decoding: Array(UInt8(0x21)...UInt8(0x7E)), as: UTF8.self)
        #expect(visible.count == 94)
        #expect(IdempotencyKey.isValid(visible))
    }

    @Test(arguments: ["order-123", "evt_2Lh9:retry/1", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "550e8400-e29b-41d4-a716-446655440000"])
    func acceptsPunctuation(key: String) {
        #expect(IdempotencyKey.isValid(key))
    }

    @Test func fingerprintIsSHA256OfTheRawBody() {
        #expect(
            SecretMaterial.hex(IdempotencyKey.fingerprint(of: Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SecretMaterial.hex(IdempotencyKey.fingerprint(of: []))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(IdempotencyKey.fingerprint(of: Array("abc".utf8)).count == 32)
    }

    @Test func fingerprintDependsOnExactBytes() {
        let compact = IdempotencyKey.fingerprint(of: Array(#"{"a":1}"#.utf8))
        let spaced = IdempotencyKey.fingerprint(of: Array(#"{"a": 1}"#.utf8))
        #expect(compact != spaced)
        #expect(compact == IdempotencyKey.fingerprint(of: Array(#"{"a":1}"#.utf8)))
    }
}
