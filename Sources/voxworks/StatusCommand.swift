import ArgumentParser
import Foundation
import VoxworksCore
import VoxworksStore

/// The queue at a glance, read straight from the store: usable while the
/// server runs (SQLite readers never block its writer).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show queue depth, failures and store size.")

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        let now = Timestamp.now()
        let (stats, describe) = try await storeOptions.withStore(configuration) { opened in
            (try await opened.store.queueStats(now: now), opened.describe)
        }
        let finished = ExecutionStatus.allCases.filter(\.isFinal).map { ($0.rawValue, stats.finishedLastHour[$0] ?? 0) }
        if json {
            let value: JSONValue = .object([
                "pending": .int(stats.pending),
                "processing": .int(stats.running),
                "waiting": .int(stats.waiting),
                "oldest_pending_age_seconds": .double(stats.oldestPendingAgeSeconds(now: now)),
                "finished_last_hour": .object(JSONObject(finished.map { (key: $0.0, value: .int($0.1)) })),
                "dead_letters": .int(stats.deadLetters),
                "store_bytes": stats.storeBytes.map { .int(Int($0)) } ?? .null,
            ])
            Console.write(value.serialized)
            return
        }
        Console.write(
            """
            store:               \(describe) (\(Self.size(stats.storeBytes)))
            pending:             \(stats.pending) (oldest waiting \(Self.age(stats.oldestPendingAgeSeconds(now: now))))
            processing:          \(stats.running) running, \(stats.waiting) waiting on a delay or call
            finished, last hour: \(finished.map { "\($0.1) \($0.0)" }.joined(separator: ", "))
            dead letters:        \(stats.deadLetters) open (a dead letter a replay completed is resolved, and not counted)
            """)
    }

    static func age(_ seconds: Double) -> String {
        switch seconds {
        case 0: "none"
        case ..<120: "\(Int(seconds)) s"
        case ..<7200: "\(Int(seconds / 60)) min"
        default: "\(Int(seconds / 3600)) h"
        }
    }

    static func size(_ bytes: Int64?) -> String {
        guard let bytes else { return "size unknown" }
        return bytes < 1 << 20 ? "\(bytes / 1024) KiB" : "\(bytes >> 20) MiB"
    }
}
