import Testing
@testable import VoxworksCore

@Suite("SecretBox")
struct SecretBoxTests {
    let masterKey: [UInt8] = Array(0..<32)
    let otherKey: [UInt8] = Array(repeating: 0xA5, count: 32)
    let secret: [UInt8] = Array("whsec signing key bytes, 32 long".utf8)

    @Test func roundTrip() throws {
        let box = try SecretBox(masterKey: masterKey)
        let sealed = try box.seal(secret)
        #expect(try box.open(sealed) == secret)
        // A second box with the same master key opens it too (nothing is kept in the instance).
        #expect(try SecretBox(masterKey: masterKey).open(sealed) == secret)
    }

    @Test func sealedLayoutIsNonceCiphertextTag() throws {
        let sealed = try SecretBox(masterKey: masterKey).seal(secret)
        #expect(sealed.count == 12 + secret.count + 16)
        // The plaintext does not appear in the stored form.
        #expect(Array(sealed[12..<(12 + secret.count)]) != secret)
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let box = try SecretBox(masterKey: masterKey)
        let sealed = try box.seal([])
        #expect(sealed.count == 28)
        #expect(try box.open(sealed) == [])
    }

    @Test func sealingTwiceUsesFreshNonces() throws {
        let box = try SecretBox(masterKey: masterKey)
        let first = try box.seal(secret)
        let second = try box.seal(secret)
        #expect(first != second)
        #expect(Array(first.prefix(12)) != Array(second.prefix(12)))
    }

    @Test func openingWithAnotherKeyThrows() throws {
        let sealed = try SecretBox(masterKey: masterKey).seal(secret)
        let other = try SecretBox(masterKey: otherKey)
        #expect(throws: SecretBox.Failure.cannotOpen) { try other.open(sealed) }
    }

    @Test(arguments: [0, 5, 12, 20, 43, 59])
    func tamperingAnyByteThrows(index: Int) throws {
        let box = try SecretBox(masterKey: masterKey)
        var sealed = try box.seal(secret)
        try #require(index < sealed.count)
        sealed[index] ^= 0x01
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open(sealed) }
    }

    @Test func truncatedOrGarbageInputThrows() throws {
        let box = try SecretBox(masterKey: masterKey)
        let sealed = try box.seal(secret)
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open(Array(sealed.dropLast())) }
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open([]) }
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open([1, 2, 3]) }
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func masterKeyMustBe32Bytes(length: Int) {
        #expect(throws: SecretBox.Failure.badKeyLength) {
            _ = try SecretBox(masterKey: Array(repeating: 7, count: length))
        }
    }
}
