import Crypto
import Testing

@testable import VoxworksCore

@Suite("HMACScheme")
struct HMACSchemeTests {
    /// RFC 4231 section 4.3 (test case 2) and RFC 2202 section 3 (test case
    /// 2, HMAC-SHA-1): key "Jefe", data "what do ya want for nothing?".
    let key = "Jefe"
    let data = "what do ya want for nothing?"

    private func scheme(_ settings: VerificationSettings) -> HMACScheme? { try? HMACScheme(settings: settings) }

    private func verify(
        _ scheme: HMACScheme?, _ headers: [String: String], body: String, secret: String = "Jefe", now: Double = SchemeTestKit.now
    )
        -> VerificationOutcome?
    {
        scheme?.verify(SchemeTestKit.post(headers, body: body), credentials: [SchemeTestKit.secret(secret)], nowSeconds: now)
    }

    @Test func knownAnswersFromRFC4231AndRFC2202() {
        let sha256 = scheme(VerificationSettings(header: "X-Signature"))
        #expect(
            verify(sha256, ["X-Signature": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"], body: data)
                == .verified(signedKey: nil))
        let sha512 = scheme(VerificationSettings(header: "X-Signature", algorithm: "sha512"))
        let mac512 =
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        #expect(verify(sha512, ["X-Signature": mac512], body: data) == .verified(signedKey: nil))
        let sha1 = scheme(VerificationSettings(header: "X-Signature", algorithm: "sha1", prefix: "sha1="))
        #expect(verify(sha1, ["X-Signature": "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"], body: data) == .verified(signedKey: nil))
        // The RFC 4231 SHA-256 value in base64.
        let base64 = scheme(VerificationSettings(header: "X-Signature", encoding: "base64", prefix: "sha256="))
        #expect(
            verify(base64, ["X-Signature": "sha256=W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="], body: data) == .verified(signedKey: nil))
        // The wrong algorithm for the value is refused.
        #expect(verify(sha512, ["X-Signature": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"], body: data) == .invalid)
    }

    @Test func bodyMACChecks() {
        guard let plain = scheme(VerificationSettings(header: "X-Signature")) else {
            Issue.record("settings must be accepted")
            return
        }
        SchemeTestKit.checkBodyMAC(plain, header: "X-Signature", secret: key, body: #"{"a":1}"#) { body, key in
            SchemeTestKit.hex(SchemeTestKit.hmacSHA256(body, key: key))
        }
    }

    @Test func aSignedTimestampIdAndURLAreCoveredAndWindowed() {
        let templated = scheme(
            VerificationSettings(
                toleranceSeconds: 120, header: "X-Sig", prefix: "v1=", signed: "{timestamp}:{id}:{url}:{body}", timestampHeader: "X-Time",
                idHeader: "X-Id"))
        let body = #"{"a":1}"#
        let signed = "1780000000:evt_1:\(SchemeTestKit.hookURL):\(body)"
        let mac = "v1=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(signed, key: key))
        let headers = ["X-Sig": mac, "X-Time": "1780000000", "X-Id": "evt_1"]
        #expect(verify(templated, headers, body: body) == .verified(signedKey: "evt_1"))
        #expect(templated?.deliveryID(SchemeTestKit.post(headers, body: body)) == "evt_1")
        #expect(verify(templated, headers.merging(["X-Id": "evt_2"]) { $1 }, body: body) == .invalid)
        #expect(verify(templated, headers.merging(["X-Time": "1780000001"]) { $1 }, body: body) == .invalid)
        #expect(verify(templated, headers, body: body, now: SchemeTestKit.now + 121) == .outsideWindow)
        #expect(verify(templated, headers, body: body, secret: "other", now: SchemeTestKit.now + 121) == .invalid)
        #expect(verify(templated, ["X-Sig": mac, "X-Id": "evt_1"], body: body) == .missing)
        // Milliseconds and RFC 3339 timestamps are read too.
        let millis = scheme(VerificationSettings(header: "X-Sig", signed: "{timestamp}.{body}", timestampHeader: "X-Time"))
        for time in ["1780000000000", "2026-05-28T20:26:40Z"] {
            let value = SchemeTestKit.hex(SchemeTestKit.hmacSHA256("\(time).\(body)", key: key))
            guard case .verified(let signedKey) = verify(millis, ["X-Sig": value, "X-Time": time], body: body) else {
                Issue.record("\(time) must verify")
                continue
            }
            #expect(signedKey?.hasPrefix("sig:\(time):") == true)
            #expect(verify(millis, ["X-Sig": value, "X-Time": time], body: body, now: SchemeTestKit.now + 301) == .outsideWindow)
        }
    }

    @Test func settingsAreValidatedWithMessagesNamingTheField() {
        let cases: [(VerificationSettings, String)] = [
            (VerificationSettings(), "hmac needs \"header\""),
            (VerificationSettings(header: "X Sig"), "hmac \"header\" must be an HTTP header name"),
            (VerificationSettings(header: "X-Sig", algorithm: "md5"), "hmac \"algorithm\" must be sha1, sha256 or sha512"),
            (VerificationSettings(header: "X-Sig", encoding: "base32"), "hmac \"encoding\" must be hex or base64"),
            (
                VerificationSettings(header: "X-Sig", prefix: String(repeating: "p", count: 65)),
                "hmac \"prefix\" must be at most 64 printable ASCII characters"
            ),
            (VerificationSettings(header: "X-Sig", signed: "{timestamp}"), "hmac \"signed\" must include {body}"),
            (
                VerificationSettings(header: "X-Sig", signed: "{nonce}.{body}"),
                "hmac \"signed\" has an unknown placeholder {nonce}; use {body}, {timestamp}, {id} or {url}"
            ),
            (VerificationSettings(header: "X-Sig", signed: "{body"), "hmac \"signed\" has a \"{\" without \"}\""),
            (
                VerificationSettings(header: "X-Sig", signed: "{timestamp}.{body}"),
                "hmac \"signed\" uses {timestamp}, so \"timestamp_header\" is required"
            ),
            (VerificationSettings(header: "X-Sig", signed: "{id}.{body}"), "hmac \"signed\" uses {id}, so \"id_header\" is required"),
            (
                VerificationSettings(header: "X-Sig", timestampHeader: "X-Time"),
                "hmac \"timestamp_header\" is set but \"signed\" has no {timestamp}"
            ),
            (VerificationSettings(header: "X-Sig", timestampHeader: "X Time"), "hmac \"timestamp_header\" must be an HTTP header name"),
            (VerificationSettings(toleranceSeconds: 0, header: "X-Sig"), "hmac \"tolerance_seconds\" must be positive"),
        ]
        var checked = 0
        for (settings, message) in cases {
            #expect(throws: SchemeSettingsError(message)) { try HMACScheme(settings: settings) }
            checked += 1
        }
        #expect(checked == cases.count)
        #expect(scheme(VerificationSettings(header: "X-Sig", algorithm: "SHA512", encoding: "BASE64")) != nil)
    }
}
