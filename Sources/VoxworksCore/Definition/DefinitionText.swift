/// The shapes of names a definition uses (step ids, targets, key paths, header names).
enum DefinitionText {
    /// `[a-z0-9_]+`, or `[a-zA-Z0-9_]+` with `allowUppercase`.
    static func isName(_ text: String, allowUppercase: Bool) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || (allowUppercase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            }
    }

    /// `$.` followed by dot-separated non-empty segments without whitespace.
    static func isKeyPath(_ text: String) -> Bool {
        guard text.hasPrefix("$.") else { return false }
        let segments = text.dropFirst(2).split(separator: ".", omittingEmptySubsequences: false)
        return segments.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) }
    }

    /// An RFC 9110 token.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }
}
