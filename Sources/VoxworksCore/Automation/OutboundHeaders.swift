/// Rules for the headers an `http_request` step sends.
public enum OutboundHeaders {
    /// Whether a header carries a credential, so that the step log keeps
    /// `[redacted]` instead of its value: `Authorization`, `Proxy-Authorization`,
    /// `Cookie`, and names ending in `-Key`, `-Token`, `-Secret` or `-Signature`
    /// (`X-Api-Key`, `X-Auth-Token`, `X-Webhook-Signature`…).
    public static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie"].contains(lower) { return true }
        return ["-key", "-token", "-secret", "-signature"].contains { lower.hasSuffix($0) }
    }

    /// What the step log shows for a value of `name`.
    public static let redactedValue = "[redacted]"

    /// `headers` with every sensitive value replaced by `redactedValue`.
    public static func redacted(_ headers: JSONObject) -> JSONObject {
        var copy = headers
        for member in headers.members where isSensitive(member.key) {
            copy[member.key] = .string(redactedValue)
        }
        return copy
    }

    /// Why a header cannot be sent, naming it but never quoting its value
    /// (which may be a bearer token), or nil when it is well formed: a name
    /// is an RFC 9110 token; a value holds no CR, LF, NUL or other control
    /// character but tab. A bad header can never be sent, so a step that
    /// has one fails at once instead of being retried.
    public static func problem(name: String, value: String) -> String? {
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
            return "a header name is not a valid HTTP token (its value is not shown)"
        }
        guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            return "header \(Truncation.text(name, maxBytes: 64)) holds a line break or control character (its value is not shown)"
        }
        return nil
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
