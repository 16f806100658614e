import Foundation
import Logging
import VoxworksCore

/// One JSON object per line (`VOXWORKS_LOG_FORMAT=json`), for log
/// collectors: time, level, label, message, and every metadata key
/// (request_id, execution_id…) as a string field.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.write = write
    }

    public static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(Timestamp.now().rfc3339),
            "level": .string(event.level.rawValue),
            "label": .string(label),
            "message": .string(Self.bounded(event.message.description)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            object[key] = .string(Self.bounded(merged[key]?.description ?? ""))
        }
        write(JSONValue.object(object).serialized)
    }

    /// Each value is cut to 2 KiB: an error may quote what a sender sent,
    /// and one webhook must not become a megabyte log line.
    static func bounded(_ text: String) -> String { Truncation.text(text, maxBytes: 2_048) }
}
