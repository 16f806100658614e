import Crypto

import Foundation

/// The signature headers of one request, as sent.
public struct SignatureHeaders: Sendable {
    /// `X-Webhook-Signature`: hex, `sha256=` hex, or base64 of HMAC-SHA256(body).
    public var webhookSignature: String?
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public var standardID: String?
    public var standardTimestamp: String?
    public var standardSignature: String?

    public init(webhookSignature: String? = nil, standardID: String? = nil, standardTimestamp: String? = nil, standardSignature: String? = nil) {
        self.webhookSignature = webhookSignature
        self.standardID = standardID
        self.standardTimestamp = standardTimestamp
        self.standardSignature = standardSignature
    }

    var hasAny: Bool { webhookSignature != nil || standardSignature != nil }
}

public enum SignatureVerdict: Sendable, Equatable {
    case valid
    case missing
    case invalid
}

/// Checks a request against a webhook's active signing keys (one, or two
/// while a secret is being rotated). Every comparison is constant time.
public struct SignatureVerifier: Sendable {
    /// How far a Standard Webhooks timestamp may be from now, in seconds.
    public var timestampTolerance: Double

    public init(timestampTolerance: Double = 300) {
        self.timestampTolerance = timestampTolerance
    }

    public func verify(body: some DataProtocol, headers: SignatureHeaders, keys: [[UInt8]], nowSeconds: Double) -> SignatureVerdict {
        guard headers.hasAny else { return .missing }
        let symmetricKeys = keys.map { SymmetricKey(data: $0) }
        if let signature = headers.webhookSignature,
           let mac = Self.decodeSignature(signature),
           symmetricKeys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: $0) }) {
            return .valid
        }
        if let list = headers.standardSignature, verifyStandard(list: list, headers: headers, body: body, keys: symmetricKeys, nowSeconds: nowSeconds) {
            return .valid
        }
        return .invalid
    }

    private func verifyStandard(list: String, headers: SignatureHeaders, body: some DataProtocol, keys: [SymmetricKey], nowSeconds: Double) -> Bool {
        guard let id = headers.standardID, let timestampText = headers.standardTimestamp,
              let timestamp = Double(timestampText), abs(nowSeconds - timestamp) <= timestampTolerance
        else { return false }
        var signed = Array("\(id).\(timestampText).".utf8)
        signed.append(contentsOf: body)
        for entry in list.split(separator: " ") {
            guard entry.hasPrefix("v1,"), let mac = Data(base64Encoded: String(entry.dropFirst(3))) else { continue }
            if keys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: $0) }) {
                return true
            }
        }
        return false
    }

    /// Accepts lowercase or uppercase hex (optionally `sha256=`-prefixed) and standard base64.
    static func decodeSignature(_ raw: String) -> [UInt8]? {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        if text.lowercased().hasPrefix("sha256=") { text = text.dropFirst(7) }
        if text.utf8.count == 64, let bytes = decodeHex(text) { return bytes }
        if let data = Data(base64Encoded: String(text)), data.count == 32 { return Array(data) }
        return nil
    }

    static func decodeHex(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for char in text.utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - 0x61 + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - 0x41 + 10
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }
}

extension SignatureVerifier {
    /// The `X-Webhook-Signature` value a sender computes: lowercase hex HMAC-SHA256.
    public static func sign(body: some DataProtocol, key: [UInt8]) -> String {
        SecretMaterial.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key)))
    }

    /// A Standard Webhooks `webhook-signature` value (`v1,<base64>`).
    public static func signStandard(id: String, timestamp: Int, body: some DataProtocol, key: [UInt8]) -> String {
        var signed = Array("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
