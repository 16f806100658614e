/// A `t=…,v1=…` style signature header (Stripe, Calendly, Paddle): one
/// timestamp and any number of signatures under one scheme name.
struct TimestampedHeader {
    var timestamp: Substring?
    var signatures: [Substring] = []

    /// Parses `text` split on `separator`; `timestampName` and
    /// `signatureName` are the keys (`t`/`v1`, `ts`/`h1`). Unknown keys
    /// (Stripe's `v0`) are ignored.
    init(_ text: String, separator: Character, timestampName: String, signatureName: String) {
        for part in text.split(separator: separator).prefix(32) {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[part.startIndex..<equals].trimmingSpaces
            let value = part[part.index(after: equals)...].trimmingSpaces
            if key == timestampName, timestamp == nil {
                timestamp = value
            } else if key == signatureName {
                signatures.append(value)
            }
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces (header lists are often `a=1, b=2`).
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
