import Logging
import VoxworksCore
import VoxworksStore

extension ExecutionOutcome {
    /// How a turn ended, as plain log fields a log collector can filter on:
    /// `outcome` (completed, failed, retry, dead_letter, wait, deferred),
    /// `error` when there is one, and the time the execution runs again
    /// (`retry_at`, `wait_until`) as RFC 3339, never a Swift debug string.
    var logMetadata: Logger.Metadata {
        switch self {
        case .completed:
            return ["outcome": "completed"]
        case .failed(let error):
            return ["outcome": "failed", "error": .string(error)]
        case .retry(let error, let runAt):
            return ["outcome": "retry", "error": .string(error), "retry_at": .string(runAt.rfc3339)]
        case .deadLetter(let error):
            return ["outcome": "dead_letter", "error": .string(error)]
        case .wait(let reason, let until):
            var metadata: Logger.Metadata = ["outcome": "wait", "wait_reason": .string(reason.rawValue)]
            if let until { metadata["wait_until"] = .string(until.rfc3339) }
            return metadata
        case .deferred(let reason, let until):
            return ["outcome": "deferred", "wait_reason": .string(reason.rawValue), "retry_at": .string(until.rfc3339)]
        }
    }
}
