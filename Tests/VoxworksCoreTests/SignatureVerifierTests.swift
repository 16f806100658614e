import Crypto
import Foundation
import Testing
@testable import VoxworksCore

/// Whether a request passes, for the many tests that need only that.
private enum SignatureVerdict: Equatable {
    case valid, missing, invalid
}

extension SignatureVerifier {
    fileprivate func verify(body: some DataProtocol, headers: SignatureHeaders, keys: [[UInt8]], nowSeconds: Double) -> SignatureVerdict {
        switch check(body: body, headers: headers, keys: keys, nowSeconds: nowSeconds) {
        case .verified: .valid
        case .missing: .missing
        case .invalid, .outsideWindow: .invalid
        }
    }
}

@Suite("SignatureVerifier")
struct SignatureVerifierTests {
    let verifier = SignatureVerifier()
    let body = Array(#"{"event":"call.completed","id":12345678901234567890}"#.utf8)
    let keyA: [UInt8] = Array(0..<32)
    let keyB: [UInt8] = (0..<32).map { UInt8(255 - $0) }
    let keyC: [UInt8] = Array(repeating: 0x42, count: 32)
    let now: Double = 1_780_000_000

    /// HMAC-SHA256 computed with swift-crypto directly, independent of the code under test.
    private func mac(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    private func hex(_ bytes: [UInt8], uppercase: Bool = false) -> String {
        bytes.map { String(format: uppercase ? "%02X" : "%02x", $0) }.joined()
    }

    private func verify(_ headers: SignatureHeaders, keys: [[UInt8]]? = nil, body: [UInt8]? = nil, now: Double? = nil) -> SignatureVerdict {
        verifier.verify(body: body ?? self.body, headers: headers, keys: keys ?? [keyA], nowSeconds: now ?? self.now)
    }

    private func standardHeaders(id: String = "msg_2Lh9", timestamp: Int, body: [UInt8], key: [UInt8]) -> SignatureHeaders {
        SignatureHeaders(
            standardID: id,
            standardTimestamp: String(timestamp),
            standardSignature: SignatureVerifier.signStandard(id: id, timestamp: timestamp, body: body, key: key)
        )
    }

    // MARK: - Signing helpers against known answers

    @Test func knownAnswerVector() {
        let signature = SignatureVerifier.sign(
            body: Array("The quick brown fox jumps over the lazy dog".utf8), key: Array("key".utf8))
        #expect(signature == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test func signMatchesAnIndependentHMAC() {
        #expect(SignatureVerifier.sign(body: body, key: keyA) == hex(mac(body, key: keyA)))
        #expect(SignatureVerifier.sign(body: body, key: keyA).count == 64)
    }

    @Test func signStandardMatchesAnIndependentHMAC() {
        let signed = Array("msg_1.1780000000.".utf8) + body
        let expected = "v1," + Data(mac(signed, key: keyA)).base64EncodedString()
        #expect(SignatureVerifier.signStandard(id: "msg_1", timestamp: 1_780_000_000, body: body, key: keyA) == expected)
    }

    // MARK: - X-Webhook-Signature encodings

    @Test func acceptsLowercaseHex() {
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyA)))) == .valid)
    }

    @Test func acceptsUppercaseHex() {
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyA), uppercase: true))) == .valid)
    }

    @Test func acceptsSha256Prefix() {
        let digest = hex(mac(body, key: keyA))
        #expect(verify(SignatureHeaders(webhookSignature: "sha256=" + digest)) == .valid)
        #expect(verify(SignatureHeaders(webhookSignature: "sha256=" + digest.uppercased())) == .valid)
        #expect(verify(SignatureHeaders(webhookSignature: "SHA256=" + digest)) == .valid)
    }

    @Test func acceptsStandardBase64() {
        let base64 = Data(mac(body, key: keyA)).base64EncodedString()
        #expect(base64.count == 44)
        #expect(verify(SignatureHeaders(webhookSignature: base64)) == .valid)
    }

    @Test func toleratesSurroundingSpaces() {
        #expect(verify(SignatureHeaders(webhookSignature: "  " + hex(mac(body, key: keyA)) + " ")) == .valid)
    }

    @Test func signatureOverTheExactRawBytes() {
        // Same JSON, different bytes (a space): the signature must not match.
        let reformatted = Array(#"{"event": "call.completed","id":12345678901234567890}"#.utf8)
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyA))), body: reformatted) == .invalid)
    }

    @Test func wrongSignatureIsInvalid() {
        var wrong = mac(body, key: keyA)
        wrong[0] ^= 0x01
        #expect(verify(SignatureHeaders(webhookSignature: hex(wrong))) == .invalid)
        #expect(verify(SignatureHeaders(webhookSignature: "sha256=" + hex(wrong))) == .invalid)
        #expect(verify(SignatureHeaders(webhookSignature: Data(wrong).base64EncodedString())) == .invalid)
    }

    @Test func undecodableSignatureIsInvalid() {
        let digest = hex(mac(body, key: keyA))
        #expect(verify(SignatureHeaders(webhookSignature: "")) == .invalid)
        #expect(verify(SignatureHeaders(webhookSignature: "not a signature")) == .invalid)
        #expect(verify(SignatureHeaders(webhookSignature: String(digest.dropLast(2)))) == .invalid)  // 31 bytes
        #expect(verify(SignatureHeaders(webhookSignature: digest + "00")) == .invalid)  // 33 bytes
        #expect(verify(SignatureHeaders(webhookSignature: String(digest.dropLast()) + "g")) == .invalid)
        // Base64 of a 16-byte prefix of the right MAC.
        #expect(verify(SignatureHeaders(webhookSignature: Data(mac(body, key: keyA).prefix(16)).base64EncodedString())) == .invalid)
    }

    @Test func noSignatureHeadersIsMissing() {
        #expect(verify(SignatureHeaders()) == .missing)
        // webhook-id and webhook-timestamp alone carry no signature.
        #expect(verify(SignatureHeaders(standardID: "msg_1", standardTimestamp: "1780000000")) == .missing)
    }

    @Test func noActiveKeysMeansInvalid() {
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyA))), keys: []) == .invalid)
    }

    // MARK: - Rotation

    @Test func eitherKeyDuringRotationIsAccepted() {
        let keys = [keyA, keyB]
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyA))), keys: keys) == .valid)
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyB))), keys: keys) == .valid)
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyB))), keys: [keyB, keyA]) == .valid)
    }

    @Test func aThirdKeyIsInvalid() {
        #expect(verify(SignatureHeaders(webhookSignature: hex(mac(body, key: keyC))), keys: [keyA, keyB]) == .invalid)
        #expect(verify(standardHeaders(timestamp: 1_780_000_000, body: body, key: keyC), keys: [keyA, keyB]) == .invalid)
    }

    @Test func rotationWorksForStandardWebhooks() {
        #expect(verify(standardHeaders(timestamp: 1_780_000_000, body: body, key: keyB), keys: [keyA, keyB]) == .valid)
    }

    // MARK: - Standard Webhooks

    @Test func standardWebhooksValid() {
        #expect(verify(standardHeaders(timestamp: 1_780_000_000, body: body, key: keyA)) == .valid)
    }

    @Test func standardWebhooksValidWithIndependentlyComputedSignature() {
        let signed = Array("msg_x.1780000010.".utf8) + body
        let headers = SignatureHeaders(
            standardID: "msg_x", standardTimestamp: "1780000010",
            standardSignature: "v1," + Data(mac(signed, key: keyA)).base64EncodedString())
        #expect(verify(headers) == .valid)
    }

    @Test func standardWebhooksSeveralEntriesOneValid() {
        let good = SignatureVerifier.signStandard(id: "msg_1", timestamp: 1_780_000_000, body: body, key: keyA)
        let other = SignatureVerifier.signStandard(id: "msg_1", timestamp: 1_780_000_000, body: body, key: keyC)
        let goodMAC = String(good.dropFirst(3))
        for list in [
            "\(other) \(good)",
            "\(good) \(other)",
            "v1a,\(goodMAC) \(good)",  // unknown version first
            "v2,\(goodMAC) \(other) \(good)",
            "v1,%%%notbase64 \(good)",
        ] {
            let headers = SignatureHeaders(standardID: "msg_1", standardTimestamp: "1780000000", standardSignature: list)
            #expect(verify(headers) == .valid, "list: \(list)")
        }
    }

    @Test func standardWebhooksNoValidEntryIsInvalid() {
        let good = SignatureVerifier.signStandard(id: "msg_1", timestamp: 1_780_000_000, body: body, key: keyA)
        let other = SignatureVerifier.signStandard(id: "msg_1", timestamp: 1_780_000_000, body: body, key: keyC)
        let goodMAC = String(good.dropFirst(3))
        for list in [other, "v2,\(goodMAC)", goodMAC, "\(other) v1a,\(goodMAC)"] {
            let headers = SignatureHeaders(standardID: "msg_1", standardTimestamp: "1780000000", standardSignature: list)
            #expect(verify(headers) == .invalid, "list: \(list)")
        }
    }

    @Test func standardWebhooksTimestampSixMinutesOldIsInvalid() {
        let old = Int(now) - 360
        #expect(verify(standardHeaders(timestamp: old, body: body, key: keyA)) == .invalid)
    }

    @Test func standardWebhooksTimestampSixMinutesAheadIsInvalid() {
        let ahead = Int(now) + 360
        #expect(verify(standardHeaders(timestamp: ahead, body: body, key: keyA)) == .invalid)
    }

    @Test func standardWebhooksWithinFiveMinutesIsValid() {
        #expect(verify(standardHeaders(timestamp: Int(now) - 300, body: body, key: keyA)) == .valid)
        #expect(verify(standardHeaders(timestamp: Int(now) + 299, body: body, key: keyA)) == .valid)
        #expect(verify(standardHeaders(timestamp: Int(now) - 301, body: body, key: keyA)) == .invalid)
    }

    @Test func standardWebhooksMissingIdIsInvalid() {
        var headers = standardHeaders(timestamp: Int(now), body: body, key: keyA)
        headers.standardID = nil
        #expect(verify(headers) == .invalid)
    }

    @Test func standardWebhooksMissingOrGarbageTimestampIsInvalid() {
        var headers = standardHeaders(timestamp: Int(now), body: body, key: keyA)
        headers.standardTimestamp = nil
        #expect(verify(headers) == .invalid)
        headers.standardTimestamp = "yesterday"
        #expect(verify(headers) == .invalid)
    }

    @Test func standardWebhooksTamperedBodyIsInvalid() {
        let headers = standardHeaders(timestamp: Int(now), body: body, key: keyA)
        var tampered = body
        tampered[tampered.count - 2] ^= 0x01
        #expect(verify(headers, body: tampered) == .invalid)
        #expect(verify(headers, body: body + [0x20]) == .invalid)
    }

    @Test func standardWebhooksSignedIdAndTimestampAreBound() {
        var headers = standardHeaders(id: "msg_1", timestamp: Int(now), body: body, key: keyA)
        headers.standardID = "msg_2"
        #expect(verify(headers) == .invalid)
        headers = standardHeaders(id: "msg_1", timestamp: Int(now), body: body, key: keyA)
        headers.standardTimestamp = String(Int(now) + 1)
        #expect(verify(headers) == .invalid)
    }

    @Test func customTolerance() {
        let strict = SignatureVerifier(timestampTolerance: 10)
        #expect(SignatureVerifier().timestampTolerance == 300)
        let headers = standardHeaders(timestamp: Int(now) - 11, body: body, key: keyA)
        #expect(strict.verify(body: body, headers: headers, keys: [keyA], nowSeconds: now) == .invalid)
        #expect(verifier.verify(body: body, headers: headers, keys: [keyA], nowSeconds: now) == .valid)
    }

    @Test func eitherSchemeSufficesWhenBothAreSent() {
        var headers = standardHeaders(timestamp: Int(now), body: body, key: keyA)
        headers.webhookSignature = "deadbeef"
        #expect(verify(headers) == .valid)
        headers = SignatureHeaders(
            webhookSignature: hex(mac(body, key: keyA)), standardID: "x", standardTimestamp: "0", standardSignature: "v1,AAAA")
        #expect(verify(headers) == .valid)
    }

    @Test func acceptsDataBodies() {
        let headers = SignatureHeaders(webhookSignature: hex(mac(body, key: keyA)))
        #expect(verifier.verify(body: Data(body), headers: headers, keys: [keyA], nowSeconds: now) == .valid)
    }

    // MARK: - What a valid signature vouches for

    @Test func eachFormSaysWhatItSigned() {
        let timestamp = Int(now)
        let timestamped = SignatureHeaders(
            webhookSignature: hex(mac(Array("\(timestamp).".utf8) + body, key: keyA)), webhookTimestamp: String(timestamp))
        guard
            case .verified(.timestamped(let signedAt, let signedMAC)) = verifier.check(
                body: body, headers: timestamped, keys: [keyA], nowSeconds: now)
        else {
            Issue.record("the timestamped form was not verified")
            return
        }
        #expect(signedAt == String(timestamp))
        #expect(signedMAC == mac(Array("\(timestamp).".utf8) + body, key: keyA))
        #expect(SignedDelivery.timestamped(timestamp: signedAt, mac: signedMAC).idempotencyKey?.hasPrefix("sig:\(timestamp):") == true)

        let bodyOnly = SignatureHeaders(webhookSignature: hex(mac(body, key: keyA)))
        #expect(verifier.check(body: body, headers: bodyOnly, keys: [keyA], nowSeconds: now) == .verified(.bodyOnly))
        #expect(SignedDelivery.bodyOnly.idempotencyKey == nil)
        // An unsigned timestamp beside a body-only MAC changes nothing.
        var withUnsignedTimestamp = bodyOnly
        withUnsignedTimestamp.webhookTimestamp = "1"
        #expect(verifier.check(body: body, headers: withUnsignedTimestamp, keys: [keyA], nowSeconds: now) == .verified(.bodyOnly))

        let standard = standardHeaders(id: "msg_x", timestamp: timestamp, body: body, key: keyA)
        #expect(verifier.check(body: body, headers: standard, keys: [keyA], nowSeconds: now) == .verified(.standard(id: "msg_x")))
        #expect(SignedDelivery.standard(id: "msg_x").idempotencyKey == "msg_x")
    }

    @Test func aValidMACWithAStaleTimestampIsOutsideTheWindow() {
        let stale = Int(now) - 301
        let timestamped = SignatureHeaders(
            webhookSignature: SignatureVerifier.sign(timestamp: stale, body: body, key: keyA), webhookTimestamp: String(stale))
        #expect(verifier.check(body: body, headers: timestamped, keys: [keyA], nowSeconds: now) == .outsideWindow)
        #expect(
            verifier.check(body: body, headers: standardHeaders(timestamp: stale, body: body, key: keyA), keys: [keyA], nowSeconds: now)
                == .outsideWindow)
        // With the wrong key it is simply invalid: the window is only told to a signer.
        #expect(verifier.check(body: body, headers: timestamped, keys: [keyB], nowSeconds: now) == .invalid)
        let future = Int(now) + 299
        let early = SignatureHeaders(
            webhookSignature: SignatureVerifier.sign(timestamp: future, body: body, key: keyA), webhookTimestamp: String(future))
        #expect(verifier.verify(body: body, headers: early, keys: [keyA], nowSeconds: now) == .valid)
    }
}
