import VoxworksCore

import Foundation

/// How the console shows values: status badges that carry a word and a
/// symbol (never colour alone), relative times, durations, indented JSON.
enum ConsoleFormat {
    /// A badge for a template: `label` (the word), `symbol`, `css` (the colour class).
    static func badge(_ status: ExecutionStatus) -> [String: Any] {
        switch status {
        case .pending: ["label": "Pending", "symbol": "○", "css": "pending"]
        case .processing: ["label": "Processing", "symbol": "◐", "css": "processing"]
        case .completed: ["label": "Completed", "symbol": "✓", "css": "completed"]
        case .failed: ["label": "Failed", "symbol": "✗", "css": "failed"]
        case .deadLetter: ["label": "Dead Letter", "symbol": "☠", "css": "dead_letter"]
        case .cancelled: ["label": "Cancelled", "symbol": "⊘", "css": "cancelled"]
        }
    }

    static func badge(_ status: StepStatus) -> [String: Any] {
        let word = status.rawValue.prefix(1).uppercased() + status.rawValue.dropFirst()
        let symbol =
            switch status.rawValue {
            case "completed": "✓"
            case "failed": "✗"
            case "skipped": "↷"
            case "processing": "◐"
            default: "○"
            }
        return ["label": word, "symbol": symbol, "css": status.rawValue]
    }

    static func relative(_ time: Timestamp, now: Timestamp) -> String {
        let seconds = max(0, (now.millis - time.millis) / 1000)
        switch seconds {
        case ..<5: return "just now"
        case ..<60: return "\(seconds) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86_400) d ago"
        }
    }

    /// The absolute time every relative one carries: `2026-12-07 06:35:40 UTC`.
    static func absolute(_ time: Timestamp) -> String {
        let text = time.rfc3339
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " UTC"
    }

    /// An error in a list: its first line, at most `maxListedErrorCharacters` characters.
    static func listedError(_ error: String?) -> String? {
        guard let error, !error.isEmpty else { return nil }
        // Never walks more than the shown part of a long error.
        let line = error.prefix(maxListedErrorCharacters + 1).prefix { !$0.isNewline }
        if line.count <= maxListedErrorCharacters, line.endIndex == error.endIndex { return String(line) }
        return String(line.prefix(maxListedErrorCharacters)) + "…"
    }

    static let maxListedErrorCharacters = 120

    static func duration(_ millis: Int64?) -> String {
        guard let millis else { return "—" }
        switch millis {
        case ..<1000: return "\(millis) ms"
        case ..<60_000: return String(format: "%.1f s", Double(millis) / 1000)
        default: return "\(millis / 60_000) min \((millis % 60_000) / 1000) s"
        }
    }

    /// At most this much of one value (a payload, a step's input or output) is rendered.
    static let maxValueBytes = 64 * 1024
    /// At most this much of a step's or an execution's error.
    static let maxErrorBytes = 4 * 1024

    /// JSON indented by two spaces, keys in their original order, cut after
    /// `maxBytes` (the text then ends with "… N more bytes").
    static func pretty(_ value: JSONValue, maxBytes: Int = maxValueBytes) -> ConsoleRendered {
        ConsoleJSONWriter.render(value, maxBytes: maxBytes)
    }

    /// The whole value, indented (indentation capped like `pretty`): for the
    /// edit form, whose text is submitted back and so must never be cut.
    static func prettyWhole(_ value: JSONValue) -> String {
        ConsoleJSONWriter.render(value, maxBytes: .max).text
    }

    /// A payload as stored: indented when it is JSON, else shown as text; cut after `maxBytes`.
    static func payload(_ bytes: [UInt8], maxBytes: Int = maxValueBytes) -> ConsoleRendered {
        if let value = try? JSONParser().parse(bytes) { return pretty(value, maxBytes: maxBytes) }
        let decoded = String(decoding: bytes, as: UTF8.self)
        return ConsoleRendered(text: Truncation.text(decoded, maxBytes: maxBytes), isCut: decoded.utf8.count > maxBytes)
    }

    static func shortID(_ id: UUID) -> String { String(id.lowercased.suffix(12)) }
}
