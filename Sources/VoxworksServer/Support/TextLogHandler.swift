import Foundation
import Logging
import VoxworksCore

/// The default log format, one line per event on standard error, as
/// swift-log's `StreamLogHandler` writes it (`time level label: key=value
/// [source] message`). Unlike that handler it formats metadata when a line
/// is written, not when a key is set: every request sets two keys (the
/// request id, Hummingbird's and ours) and almost never logs.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = TextLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        var line = "\(Timestamp.now().rfc3339) \(event.level) \(label):"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.bounded(merged[key]?.description ?? ""))"
        }
        line += " [\(event.source)] \(Self.bounded(event.message.description))"
        write(line)
    }

    /// Each value is cut to 2 KiB: an error may quote what a sender sent,
    /// and one webhook must not become a megabyte log line.
    static func bounded(_ text: String) -> String { Truncation.text(text, maxBytes: 2_048) }
}
