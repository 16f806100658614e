import Crypto

import Foundation

/// What the provider schemes share: keys from secret text, MACs over
/// several parts without joining them, decoding that refuses absurd
/// lengths before it allocates, constant-time comparison and the window.
enum SchemeSupport {
    /// The longest header value a scheme decodes; real ones are far below
    /// it, so a hostile megabyte header costs nothing to refuse.
    static let maxSignatureText = 4096

    /// The credentials' secrets (newest first), as UTF-8 keys: what most
    /// providers do with the secret text they show.
    static func utf8Keys(_ credentials: [SchemeCredential]) -> [SymmetricKey] {
        credentials.compactMap { credential in
            guard let secret = credential.secret, !secret.isEmpty else { return nil }
            return SymmetricKey(data: Array(secret.utf8))
        }
    }

    /// HMAC of the parts as if they were one byte string.
    static func mac<H: HashFunction>(_ hash: H.Type, key: SymmetricKey, _ parts: [UInt8]...) -> [UInt8] {
        var hmac = HMAC<H>(key: key)
        for part in parts { hmac.update(data: part) }
        return Array(hmac.finalize())
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// Whether any key's HMAC over the parts equals `expected` (each
    /// comparison constant time), and the key that matched.
    static func firstMatch<H: HashFunction>(
        _ hash: H.Type, keys: [SymmetricKey], expected: [[UInt8]], _ parts: [UInt8]...
    ) -> [UInt8]? {
        guard !expected.isEmpty else { return nil }
        for key in keys {
            var hmac = HMAC<H>(key: key)
            for part in parts { hmac.update(data: part) }
            let computed = Array(hmac.finalize())
            var matched = false
            for candidate in expected where constantTimeEqual(computed, candidate) { matched = true }
            if matched { return computed }
        }
        return nil
    }

    /// Hex (either case) of exactly `byteCount` bytes, else nil.
    static func hex(_ text: some StringProtocol, byteCount: Int) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count == byteCount * 2 else { return nil }
        return SignatureVerifier.decodeHex(Substring(text))
    }

    /// Standard base64 (padded) of exactly `byteCount` bytes, else nil.
    static func base64(_ text: some StringProtocol, byteCount: Int) -> [UInt8]? {
        guard text.utf8.count <= (byteCount + 2) / 3 * 4 + 4, let data = Data(base64Encoded: String(text)), data.count == byteCount
        else { return nil }
        return Array(data)
    }

    /// Any standard base64 of a bounded length (keys, DER signatures).
    static func base64(_ text: some StringProtocol, maxBytes: Int) -> [UInt8]? {
        guard text.utf8.count <= (maxBytes + 2) / 3 * 4 + 4, let data = Data(base64Encoded: String(text)) else { return nil }
        return Array(data)
    }

    /// A signed timestamp in whole units (seconds, or milliseconds for
    /// HubSpot): ASCII digits only, at most 16 of them, so that `1e9`,
    /// `nan` or a thousand digits are never a time.
    static func integer(_ text: some StringProtocol) -> Int64? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 16, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// Whether a signed Unix time (in `unitsPerSecond`) is within the
    /// tolerance of now. Called only after the MAC matched, so the window
    /// cannot be probed without the secret.
    static func isFresh(_ text: some StringProtocol, nowSeconds: Double, tolerance: Double, unitsPerSecond: Double = 1) -> Bool {
        guard let value = integer(text) else { return false }
        return abs(nowSeconds - Double(value) / unitsPerSecond) <= tolerance
    }

    /// The idempotency key a signed timestamp and its MAC fix, in the form
    /// the `voxworks` scheme has always used: a captured request replayed
    /// under a new idempotency header lands on the same execution.
    static func timestampKey(_ timestamp: some StringProtocol, mac: [UInt8]) -> String {
        "sig:\(timestamp):" + SecretMaterial.hex(mac.prefix(16))
    }

    /// A top-level string (or integer) member of a JSON object body, when
    /// it is a well-formed idempotency key. Nil for any other body.
    static func topLevelID(_ body: [UInt8], member: String) -> String? {
        guard body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{"),
            let object = try? JSONParser().parseObject(body)
        else { return nil }
        let text: String?
        switch object[member] {
        case .string(let value): text = value
        case .number(let value): text = value
        default: text = nil
        }
        guard let text, IdempotencyKey.isValid(text) else { return nil }
        return text
    }

    /// The JSON object a body holds, or nil.
    static func object(_ body: [UInt8]) -> JSONObject? {
        guard body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") else { return nil }
        return try? JSONParser().parseObject(body)
    }

    /// A JSON string literal of `text`, escaped.
    static func jsonString(_ text: String) -> String {
        var output = ""
        JSONValue.writeString(text, to: &output)
        return output
    }

    /// `tolerance_seconds`, when set, must be a positive number of seconds.
    static func checkTolerance(_ settings: VerificationSettings) throws(SchemeSettingsError) {
        if let seconds = settings.toleranceSeconds, seconds <= 0 || seconds > 86_400 * 7 {
            throw SchemeSettingsError("tolerance_seconds must be between 1 and 604800")
        }
    }

    /// `url`, when set, must be an absolute http(s) URL.
    static func checkURL(_ settings: VerificationSettings) throws(SchemeSettingsError) {
        if let url = settings.url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.utf8.count > 2048 {
            throw SchemeSettingsError("url must be an absolute http:// or https:// URL")
        }
    }
}
