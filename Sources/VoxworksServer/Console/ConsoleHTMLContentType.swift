import Mustache

/// The console's HTML escaping, used by every `{{value}}` in every console
/// template (each one starts with `pragma`, see `ConsoleTemplates`).
///
/// The template engine's own HTML escaping looks at one grapheme cluster
/// (`Character`) at a time, so a `"` followed by a combining mark, or a
/// prepended concatenation mark (U+0600) followed by `<`, is one Character
/// that matches nothing in its table and comes out raw: an attribute
/// breakout or a tag. This one looks at UTF-8 bytes. Every character it
/// replaces is ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII,
/// so byte by byte is the same as Unicode scalar by scalar.
struct ConsoleHTMLContentType: MustacheContentType {
    static let name = "CONSOLE_HTML"
    /// The first token of every console template: partials start with the
    /// engine's default escaping again, so each template must switch itself.
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    func escapeText(_ text: String) -> String { Self.escape(text) }

    /// `text` with `& < > " '` replaced by character references, in text and in quoted attribute values alike.
    static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { replacement(for: $0) != nil }) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            if let replacement = replacement(for: byte) {
                output.append(contentsOf: replacement)
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let ampersand = Array("&amp;".utf8)
    private static let lessThan = Array("&lt;".utf8)
    private static let greaterThan = Array("&gt;".utf8)
    private static let quote = Array("&quot;".utf8)
    private static let apostrophe = Array("&#39;".utf8)

    private static func replacement(for byte: UInt8) -> [UInt8]? {
        switch byte {
        case UInt8(ascii: "&"): ampersand
        case UInt8(ascii: "<"): lessThan
        case UInt8(ascii: ">"): greaterThan
        case UInt8(ascii: "\""): quote
        case UInt8(ascii: "'"): apostrophe
        default: nil
        }
    }
}
