import Foundation
import Logging
import VoxworksCore
import VoxworksServer

/// Collects every log line a server writes, as the JSON handler (or the
/// default text handler) renders it.
final class LogCapture: Sendable {
    let lines = LockedBox<[String]>([])
    let text: Bool

    init(text: Bool = false) {
        self.text = text
    }

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "capture") { [lines, text] label in
            let write: @Sendable (String) -> Void = { line in lines.withLock { $0.append(line) } }
            var handler: any LogHandler = text ? TextLogHandler(label: label, write: write) : JSONLogHandler(label: label, write: write)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }
}
