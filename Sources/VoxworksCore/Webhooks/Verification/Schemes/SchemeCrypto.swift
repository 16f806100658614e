import Crypto
import Foundation

/// The primitives the provider schemes share: HMAC through swift-crypto,
/// constant-time comparison, and the decoders for what providers put in
/// their headers. Every decoder returns nil on hostile input instead of
/// throwing, and refuses absurdly long values before decoding them.
enum SchemeCrypto {
    /// No provider's signature header is anywhere near this long; a longer
    /// one is refused before any decoding work is spent on it.
    static let maxSignatureLength = 8192

    /// An HMAC hash function.
    enum Algorithm: String, Sendable, CaseIterable {
        case sha1, sha256, sha512

        /// Constant-time check of `mac` against HMAC(key, message).
        func isValid(_ mac: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
            let symmetricKey = SymmetricKey(data: key)
            switch self {
            case .sha1: return HMAC<Insecure.SHA1>.isValidAuthenticationCode(mac, authenticating: message, using: symmetricKey)
            case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: symmetricKey)
            case .sha512: return HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: message, using: symmetricKey)
            }
        }

        /// HMAC(key, message): what a sender computes (tests, handshakes).
        func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
            let symmetricKey = SymmetricKey(data: key)
            switch self {
            case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetricKey))
            case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetricKey))
            case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetricKey))
            }
        }
    }

    /// How a MAC is written in a header.
    enum Encoding: String, Sendable, CaseIterable {
        case hex, base64

        func decode(_ text: Substring) -> [UInt8]? {
            guard text.utf8.count <= SchemeCrypto.maxSignatureLength else { return nil }
            switch self {
            case .hex: return SignatureVerifier.decodeHex(text)
            case .base64: return Data(base64Encoded: String(text)).map { Array($0) }
            }
        }

        func encode(_ bytes: [UInt8]) -> String {
            switch self {
            case .hex: SecretMaterial.hex(bytes)
            case .base64: Data(bytes).base64EncodedString()
            }
        }
    }

    /// The UTF-8 bytes of every credential's non-empty `secret`: how most
    /// providers turn the secret they show into the HMAC key.
    static func utf8Secrets(_ credentials: [SchemeCredential]) -> [[UInt8]] {
        credentials.compactMap { credential in
            guard let secret = credential.secret, !secret.isEmpty else { return nil }
            return Array(secret.utf8)
        }
    }

    /// Whether `mac` is HMAC(key, message) for any key.
    static func matchesAny(_ mac: [UInt8], message: [UInt8], keys: [[UInt8]], algorithm: Algorithm) -> Bool {
        // Every key is tried (no early exit) so the time taken does not say
        // which of the active keys matched.
        var matched = false
        for key in keys where algorithm.isValid(mac, for: message, key: key) { matched = true }
        return matched
    }

    /// The common case: one header holding `prefix` + encoded HMAC of the
    /// raw body. `.missing` without the header, `.invalid` when it does not
    /// decode or matches no key.
    static func verifyBodyMAC(
        header value: String?, prefix: String = "", encoding: Encoding, algorithm: Algorithm, body: [UInt8], keys: [[UInt8]]
    ) -> VerificationOutcome {
        guard let value else { return .missing }
        guard let mac = decodeSignature(value, prefix: prefix, encoding: encoding) else { return .invalid }
        return matchesAny(mac, message: body, keys: keys, algorithm: algorithm) ? .verified(signedKey: nil) : .invalid
    }

    /// `prefix` (matched without regard to case, as providers' own
    /// libraries do) then the encoded MAC, surrounding blanks ignored.
    static func decodeSignature(_ value: String, prefix: String, encoding: Encoding) -> [UInt8]? {
        guard value.utf8.count <= maxSignatureLength else { return nil }
        var text = trimmed(Substring(value))
        if !prefix.isEmpty {
            guard text.utf8.count >= prefix.utf8.count, text.prefix(prefix.count).lowercased() == prefix.lowercased() else { return nil }
            text = text.dropFirst(prefix.count)
        }
        return encoding.decode(text)
    }

    /// Compares UTF-8 texts in constant time for equal lengths.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        SchemeSupport.constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    /// Unix seconds written as plain digits (no sign, exponent or
    /// fraction), nil otherwise; at most 15 digits, so no overflow.
    static func unixSeconds(_ text: String) -> Double? {
        let digits = trimmed(Substring(text)).utf8
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return Double(value)
    }

    /// `tolerance_seconds`, defaulted, refused when not positive.
    static func tolerance(
        _ settings: VerificationSettings, defaultSeconds: Int = VerificationSettings.defaultToleranceSeconds
    ) throws(SchemeSettingsError) -> Double {
        // `SchemeCatalog` has checked the range (`SchemeSupport.checkTolerance`).
        try SchemeSupport.checkTolerance(settings)
        return Double(settings.toleranceSeconds ?? defaultSeconds)
    }

    /// Whether a signed time is within `tolerance` seconds of now, either side.
    static func isFresh(_ seconds: Double, nowSeconds: Double, tolerance: Double) -> Bool {
        seconds.isFinite && abs(nowSeconds - seconds) <= tolerance
    }

    /// A string member of the body's top-level object (a provider's event id).
    static func topLevelString(_ body: [UInt8], _ key: String) -> String? {
        guard let value = SchemeSupport.object(body)?[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
