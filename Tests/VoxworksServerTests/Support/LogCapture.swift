import Foundation
import Logging
import VoxworksCore
import VoxworksServer

/// Collects every log line a server writes, as the JSON handler renders it.
final class LogCapture: Sendable {
    let lines = LockedBox<[String]>([])

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "capture") { [lines] label in
            var handler = JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }
}
