import Crypto

/// The idempotency key of a webhook request (docs/webhooks.md, idempotency).
public enum IdempotencyKey {
    /// 1–255 visible ASCII characters.
    public static func isValid(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard !utf8.isEmpty, utf8.count <= 255 else { return false }
        return utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    /// SHA-256 of the raw body: two requests are "the same" exactly when these match.
    public static func fingerprint(of body: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: body))
    }
}
