import Foundation
import Testing
@testable import VoxworksCore

@Suite("SecretMaterial")
struct SecretMaterialTests {
    private static let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func webhookTokenIs43URLSafeCharacters() {
        for _ in 0..<50 {
            let token = SecretMaterial.webhookToken()
            #expect(token.count == 43)
            #expect(token.allSatisfy { Self.urlSafe.contains($0) }, "\(token)")
        }
    }

    @Test func webhookTokensDiffer() {
        let tokens = (0..<100).map { _ in SecretMaterial.webhookToken() }
        #expect(Set(tokens).count == 100)
    }

    @Test func apiKeyHasPrefixAndURLSafeBody() {
        let key = SecretMaterial.apiKey()
        #expect(key.hasPrefix("vx_"))
        #expect(key.count == 46)
        #expect(key.dropFirst(3).allSatisfy { Self.urlSafe.contains($0) })
        #expect(SecretMaterial.apiKey() != key)
    }

    @Test func signingSecretDisplayRoundTripsToTheSameKey() throws {
        let (display, key) = SecretMaterial.signingSecret()
        #expect(display.hasPrefix("whsec_"))
        #expect(key.count == 32)
        #expect(display == "whsec_" + Data(key).base64EncodedString())
        #expect(display.count == 6 + 44)
        let decoded = try #require(SecretMaterial.signingKey(fromDisplay: display))
        #expect(decoded == key)
    }

    @Test func signingKeyFromDisplayRejectsOtherForms() {
        let base64 = Data(Array(0..<32 as Range<UInt8>)).base64EncodedString()
        #expect(SecretMaterial.signingKey(fromDisplay: base64) == nil)
        #expect(SecretMaterial.signingKey(fromDisplay: "wh_" + base64) == nil)
        #expect(SecretMaterial.signingKey(fromDisplay: "whsec_***not base64***") == nil)
        #expect(SecretMaterial.signingKey(fromDisplay: "whsec_" + base64) == Array(0..<32))
    }

    @Test func hashIsLowercaseSHA256Hex() {
        #expect(SecretMaterial.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretMaterial.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let hash = SecretMaterial.hash(SecretMaterial.apiKey())
        #expect(hash.count == 64)
        #expect(hash.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect(SecretMaterial.hex([0x00, 0x0F, 0xA0, 0xFF, 0x7E]) == "000fa0ff7e")
        #expect(SecretMaterial.hex([]) == "")
    }

    @Test func base64URLReplacesUnsafeCharactersAndDropsPadding() {
        // Standard base64: FB EF BE is "++++", FF FF FF is "////", FB FF is "+/8=", 61 is "YQ==".
        #expect(SecretMaterial.base64URL([0xFB, 0xEF, 0xBE]) == "----")
        #expect(SecretMaterial.base64URL([0xFF, 0xFF, 0xFF]) == "____")
        #expect(SecretMaterial.base64URL([0xFB, 0xFF]) == "-_8")
        #expect(SecretMaterial.base64URL([0x61]) == "YQ")
        #expect(SecretMaterial.base64URL([]) == "")
    }

    @Test func randomBytesHaveTheRequestedLength() {
        #expect(SecretMaterial.randomBytes(0).isEmpty)
        #expect(SecretMaterial.randomBytes(12).count == 12)
        #expect(SecretMaterial.randomBytes(32) != SecretMaterial.randomBytes(32))
    }
}
