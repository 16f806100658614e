import Crypto
import Foundation
import Testing

@testable import VoxworksCore

/// Requests and independent MACs for the provider scheme tests. The MACs are
/// computed here with swift-crypto directly, not through the code under test.
enum SchemeTestKit {
    /// A fixed "now" (2026-05-28T20:26:40Z) for every windowed check.
    static let now: Double = 1_780_000_000
    static let hookURL = "https://hooks.example.com/api/v1/hooks/tok_123"

    static func post(_ headers: [String: String], body: String, query: [String: String] = [:], url: String = hookURL) -> InboundRequest {
        InboundRequest(
            method: .post, url: url, headers: headers.map { (name: $0.key, value: $0.value) },
            query: query.map { (name: $0.key, value: $0.value) }, body: Array(body.utf8))
    }

    static func get(query: [(String, String)], headers: [String: String] = [:]) -> InboundRequest {
        InboundRequest(
            method: .get, url: hookURL, headers: headers.map { (name: $0.key, value: $0.value) },
            query: query.map { (name: $0.0, value: $0.1) }, body: [])
    }

    static func secret(_ text: String) -> SchemeCredential { SchemeCredential(secret: text) }

    static func hmacSHA256(_ message: String, key: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }

    static func hmacSHA1(_ message: String, key: String) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The body with one byte changed, as a tampering proxy would.
    static func tampered(_ body: String) -> String { String(body.dropLast()) + " }" }

    /// Values no provider sends, each of which must be refused without a crash.
    static let hostileValues: [String] = [
        "", " ", "sha256=", "v1=", "hmac-sha256=", "zz", "%%%%", "====", "sha256=" + String(repeating: "a", count: 100_000),
        String(repeating: "\u{0}", count: 64), "🙂🙂🙂", "sha1=" + String(repeating: "f", count: 41), "t=1,v1=,,,,,",
    ]

    /// The checks every scheme that MACs the body under one header must
    /// pass: a valid request verifies, a changed body or wrong secret is
    /// invalid, no header is missing, the old secret listed second still
    /// verifies, and hostile header values are invalid without a crash.
    /// `sign` computes the header value independently of the scheme.
    static func checkBodyMAC(
        _ scheme: any VerificationScheme, header: String, secret: String, body: String, sign: (String, String) -> String,
        credential: (String) -> SchemeCredential = { SchemeCredential(secret: $0) },
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let credentials = [credential(secret)]
        func request(_ value: String, _ body: String) -> InboundRequest { post([header: value], body: body) }
        #expect(
            scheme.verify(request(sign(body, secret), body), credentials: credentials, nowSeconds: now) == .verified(signedKey: nil),
            sourceLocation: sourceLocation)
        #expect(
            scheme.verify(request(sign(body, secret), tampered(body)), credentials: credentials, nowSeconds: now) == .invalid,
            sourceLocation: sourceLocation)
        #expect(
            scheme.verify(request(sign(body, secret + "x"), body), credentials: credentials, nowSeconds: now) == .invalid,
            sourceLocation: sourceLocation)
        #expect(scheme.verify(post([:], body: body), credentials: credentials, nowSeconds: now) == .missing, sourceLocation: sourceLocation)
        #expect(
            scheme.verify(request(sign(body, secret), body), credentials: [], nowSeconds: now) == .invalid, sourceLocation: sourceLocation)
        let rotated = [credential(secret + "-new"), credential(secret)]
        #expect(
            scheme.verify(request(sign(body, secret), body), credentials: rotated, nowSeconds: now) == .verified(signedKey: nil),
            sourceLocation: sourceLocation)
        #expect(
            scheme.verify(request(sign(body, secret + "-new"), body), credentials: rotated, nowSeconds: now) == .verified(signedKey: nil),
            sourceLocation: sourceLocation)
        var refused = 0
        for value in hostileValues where scheme.verify(request(value, body), credentials: credentials, nowSeconds: now) == .invalid {
            refused += 1
        }
        #expect(refused == hostileValues.count, sourceLocation: sourceLocation)
    }
}
