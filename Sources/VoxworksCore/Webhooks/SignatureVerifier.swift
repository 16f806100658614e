import Crypto

import Foundation

/// The signature headers of one request, as sent.
public struct SignatureHeaders: Sendable {
    /// `X-Webhook-Signature`: hex, `sha256=` hex, or base64 of HMAC-SHA256(body),
    /// or of HMAC-SHA256(`timestamp.body`) when `X-Webhook-Timestamp` is sent.
    public var webhookSignature: String?
    /// `X-Webhook-Timestamp`: Unix seconds, signed with the body.
    public var webhookTimestamp: String?
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public var standardID: String?
    public var standardTimestamp: String?
    public var standardSignature: String?

    public init(
        webhookSignature: String? = nil, webhookTimestamp: String? = nil, standardID: String? = nil, standardTimestamp: String? = nil,
        standardSignature: String? = nil
    ) {
        self.webhookSignature = webhookSignature
        self.webhookTimestamp = webhookTimestamp
        self.standardID = standardID
        self.standardTimestamp = standardTimestamp
        self.standardSignature = standardSignature
    }

    var hasAny: Bool { webhookSignature != nil || standardSignature != nil }
}

/// What a valid signature vouches for beyond the body. A signed delivery
/// id or timestamp is what makes a captured request useless to replay:
/// the id (or the signed timestamp and its MAC) becomes the idempotency
/// key, which an unsigned header cannot change.
public enum SignedDelivery: Sendable, Equatable {
    /// `X-Webhook-Signature` over the body alone: nothing but the body is
    /// signed, so a copy of the request can be sent again with a new key.
    case bodyOnly
    /// `X-Webhook-Signature` over `timestamp.body` with `X-Webhook-Timestamp`.
    case timestamped(timestamp: String, mac: [UInt8])
    /// Standard Webhooks: `webhook-id` is signed.
    case standard(id: String)

    /// The idempotency key the signature fixes, if it fixes one.
    public var idempotencyKey: String? {
        switch self {
        case .bodyOnly: nil
        case .timestamped(let timestamp, let mac): "sig:\(timestamp):" + SecretMaterial.hex(mac.prefix(16))
        case .standard(let id): id
        }
    }
}

/// The outcome of checking a request's signature.
public enum SignatureCheck: Sendable, Equatable {
    case verified(SignedDelivery)
    /// No signature header of any accepted form.
    case missing
    /// No signature matches an active secret.
    case invalid
    /// A signature matches, but its signed timestamp is outside the tolerance.
    case outsideWindow
}

/// Checks a request against a webhook's active signing keys (one, or two
/// while a secret is being rotated). Every comparison is constant time.
public struct SignatureVerifier: Sendable {
    /// How far a Standard Webhooks timestamp may be from now, in seconds.
    public var timestampTolerance: Double

    public init(timestampTolerance: Double = 300) {
        self.timestampTolerance = timestampTolerance
    }

    /// Checks every accepted form, and says what the valid one signed.
    public func check(body: some DataProtocol, headers: SignatureHeaders, keys: [[UInt8]], nowSeconds: Double) -> SignatureCheck {
        guard headers.hasAny else { return .missing }
        let symmetricKeys = keys.map { SymmetricKey(data: $0) }
        if let signature = headers.webhookSignature, let mac = Self.decodeSignature(signature) {
            // The timestamped form first: a MAC over `timestamp.body` never
            // passes as a body-only one, so stripping or changing the
            // timestamp of a captured request makes it invalid.
            if let timestamp = headers.webhookTimestamp {
                var signed = Array("\(timestamp).".utf8)
                signed.append(contentsOf: body)
                if symmetricKeys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: $0) }) {
                    guard isFresh(timestamp, nowSeconds: nowSeconds) else { return .outsideWindow }
                    return .verified(.timestamped(timestamp: timestamp, mac: mac))
                }
            }
            if symmetricKeys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: $0) }) {
                return .verified(.bodyOnly)
            }
        }
        if let list = headers.standardSignature, let id = headers.standardID, let timestamp = headers.standardTimestamp,
            verifyStandard(list: list, id: id, timestamp: timestamp, body: body, keys: symmetricKeys)
        {
            guard isFresh(timestamp, nowSeconds: nowSeconds) else { return .outsideWindow }
            return .verified(.standard(id: id))
        }
        return .invalid
    }

    /// Whether a signed timestamp (Unix seconds) is within the tolerance of now.
    private func isFresh(_ timestamp: String, nowSeconds: Double) -> Bool {
        guard let seconds = Double(timestamp), seconds.isFinite else { return false }
        return abs(nowSeconds - seconds) <= timestampTolerance
    }

    private func verifyStandard(list: String, id: String, timestamp: String, body: some DataProtocol, keys: [SymmetricKey]) -> Bool {
        var signed = Array("\(id).\(timestamp).".utf8)
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

    /// The `X-Webhook-Signature` value for a request sent with `X-Webhook-Timestamp: timestamp`.
    public static func sign(timestamp: Int, body: some DataProtocol, key: [UInt8]) -> String {
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        return SecretMaterial.hex(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key)))
    }

    /// A Standard Webhooks `webhook-signature` value (`v1,<base64>`).
    public static func signStandard(id: String, timestamp: Int, body: some DataProtocol, key: [UInt8]) -> String {
        var signed = Array("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
