import Crypto
import Foundation
import Testing

@testable import VoxworksCore

/// Builders shared by the scheme suites: requests, credentials, and MACs
/// computed with swift-crypto directly (independent of the schemes).
enum SchemeFixture {
    static let hookURL = "https://hooks.example.com/api/v1/hooks/tok_abc"

    static func request(
        _ method: InboundRequest.Method = .post, url: String = hookURL, headers: [(name: String, value: String)],
        query: [(name: String, value: String)] = [], body: String
    ) -> InboundRequest {
        InboundRequest(method: method, url: url, headers: headers, query: query, body: Array(body.utf8))
    }

    static func secret(_ text: String) -> SchemeCredential { SchemeCredential(secret: text) }

    static func scheme(_ name: SchemeName, settings: VerificationSettings = VerificationSettings()) throws -> any VerificationScheme {
        try SchemeCatalog.scheme(name, settings: settings)
    }

    static func hmac<H: HashFunction>(_ hash: H.Type, key: String, _ message: String) -> [UInt8] {
        Array(HMAC<H>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String { SecretMaterial.hex(bytes) }
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Whether an outcome is `.verified`, whatever the key.
    static func isVerified(_ outcome: VerificationOutcome) -> Bool {
        if case .verified = outcome { return true }
        return false
    }

    /// A copy of `request` with one header replaced (or added).
    static func replacing(_ request: InboundRequest, header name: String, with value: String) -> InboundRequest {
        var copy = request
        copy.headers.removeAll { $0.name == name.lowercased() }
        copy.headers.append((name: name.lowercased(), value: value))
        return copy
    }

    /// A copy of `request` without a header.
    static func removing(_ request: InboundRequest, header name: String) -> InboundRequest {
        var copy = request
        copy.headers.removeAll { $0.name == name.lowercased() }
        return copy
    }

    /// A copy of `request` with its last body byte changed.
    static func tampered(_ request: InboundRequest) -> InboundRequest {
        var copy = request
        if let last = copy.body.indices.last { copy.body[last] ^= 0x01 } else { copy.body = [0x20] }
        return copy
    }
}
