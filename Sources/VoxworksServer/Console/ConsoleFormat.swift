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
        let symbol = switch status.rawValue {
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

    static func duration(_ millis: Int64?) -> String {
        guard let millis else { return "—" }
        switch millis {
        case ..<1000: return "\(millis) ms"
        case ..<60_000: return String(format: "%.1f s", Double(millis) / 1000)
        default: return "\(millis / 60_000) min \((millis % 60_000) / 1000) s"
        }
    }

    /// JSON indented by two spaces, keys in their original order.
    static func pretty(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: 0, to: &output)
        return output
    }

    private static func write(_ value: JSONValue, indent: Int, to output: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += pad
                write(element, indent: indent + 1, to: &output)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += closing + "]"
        case .object(let object) where object.count > 0:
            output += "{\n"
            for (index, member) in object.members.enumerated() {
                output += pad
                JSONValue.writeString(member.key, to: &output)
                output += ": "
                write(member.value, indent: indent + 1, to: &output)
                output += index == object.count - 1 ? "\n" : ",\n"
            }
            output += closing + "}"
        default:
            value.write(to: &output)
        }
    }

    /// A payload as stored: indented when it is JSON, else shown as text.
    static func payload(_ bytes: [UInt8]) -> String {
        if let value = try? JSONParser().parse(bytes) { return pretty(value) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func shortID(_ id: UUID) -> String { String(id.lowercased.suffix(12)) }
}
