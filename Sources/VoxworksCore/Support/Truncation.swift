/// Bounds what is rendered of a value that a sender controls (a payload, a
/// step's input, output or error, a log value): one hostile webhook must not
/// turn into a page, a log line or an error message of unbounded size. The
/// whole value stays reachable where it is stored; only its rendering is cut.
public enum Truncation {
    /// The marker appended to a cut text: "… N more bytes".
    public static func marker(moreBytes: Int) -> String { "… \(moreBytes) more bytes" }

    /// `text` cut to at most `maxBytes` UTF-8 bytes (at a scalar boundary),
    /// followed by the marker when anything was cut.
    public static func text(_ text: String, maxBytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, maxBytes))
        // Back up to the start of a scalar so no character is split.
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) {
            end = utf8.index(before: end)
        }
        let kept = utf8.distance(from: utf8.startIndex, to: end)
        return String(decoding: utf8[utf8.startIndex..<end], as: UTF8.self) + marker(moreBytes: utf8.count - kept)
    }
}
