import Crypto

import Foundation

/// Random credentials and their stored forms.
public enum SecretMaterial {
    /// A webhook token: 256 random bits, URL-safe base64 without padding (43 characters).
    public static func webhookToken() -> String { base64URL(randomBytes(32)) }

    /// An API key as shown once to its owner.
    public static func apiKey() -> String { "vx_" + base64URL(randomBytes(32)) }

    /// A signing secret as shown once: `whsec_` + standard base64 of 32 raw bytes
    /// (the Standard Webhooks form, so its SDKs accept it unchanged).
    public static func signingSecret() -> (display: String, key: [UInt8]) {
        let key = randomBytes(32)
        return ("whsec_" + Data(key).base64EncodedString(), key)
    }

    /// The raw key bytes of a `whsec_` secret, or nil when it is not one.
    public static func signingKey(fromDisplay display: String) -> [UInt8]? {
        guard display.hasPrefix("whsec_"), let data = Data(base64Encoded: String(display.dropFirst(6))) else { return nil }
        return Array(data)
    }

    /// SHA-256 of a credential as lowercase hex: what the store keeps and looks up by.
    public static func hash(_ credential: String) -> String { hex(SHA256.hash(data: Array(credential.utf8))) }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        // Eight bytes per draw: each draw is a getrandom(2) call.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
