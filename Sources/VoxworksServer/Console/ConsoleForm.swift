import Foundation

/// `application/x-www-form-urlencoded` bodies of console forms.
enum ConsoleForm {
    /// Maximum size of a console form (a definition or a test payload plus the rest).
    static let maxBytes = 1_100_000

    static func parse(_ bytes: [UInt8]) -> [String: String] {
        parse(String(decoding: bytes, as: UTF8.self))
    }

    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            // The first occurrence wins: a smuggled second `csrf` cannot replace the first.
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Percent-encodes a query value.
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
