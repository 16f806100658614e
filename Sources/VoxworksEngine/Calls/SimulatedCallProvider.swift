import Foundation
import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksStore

/// A stand-in for telephony, clearly named so nobody mistakes it for real
/// calls: a call "rings" at its scheduled time, lasts
/// `VOXWORKS_CALL_SIMULATOR_SECONDS`, and ends with
/// `VOXWORKS_CALL_SIMULATOR_STATUS`. It is driven by the calls table, so
/// calls in flight survive a restart.
public struct SimulatedCallProvider: CallProvider, Service {
    let store: any ExecutionStore
    let completion: CallCompletion
    let seconds: Double
    let status: String
    let clock: @Sendable () -> Timestamp
    let pollInterval: Duration
    let logger: Logger

    public init(
        store: any ExecutionStore, completion: CallCompletion, seconds: Double, status: String, clock: @escaping @Sendable () -> Timestamp,
        pollInterval: Duration = .milliseconds(250), logger: Logger
    ) {
        self.store = store
        self.completion = completion
        self.seconds = seconds
        self.status = status
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Nothing to do at placement: the stored call is the schedule.
    public func place(_ call: Call) async throws {}

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await finishDueCalls()
            } catch {
                logger.error("call simulator failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
        }
    }

    /// Ends every call whose simulated duration has passed.
    public func finishDueCalls() async throws {
        let now = clock()
        for var call in try await store.dueCalls(now: now.adding(seconds: -seconds), limit: 100) {
            call.progress = "finished"
            call.status = status
            call.startedAt = call.scheduledTime
            call.endedAt = call.scheduledTime.adding(seconds: seconds)
            call.duration = Int(seconds.rounded())
            let answered = status == "completed"
            call.endReason = answered ? "user hangup" : (status == "voicemail" ? "voicemail" : "failed")
            call.callSummary =
                answered ? "Simulated call: the contact answered and the script ran to its end." : "Simulated call: \(status)."
            call.structuredData = .object(["simulated": true])
            call.successEvaluation = answered ? "successful" : "unsuccessful"
            call.rating = answered ? 5 : 1
            call.transcript =
                answered
                ? "Agent: Hello, this is a simulated call from Voxworks.\nContact: Hello.\nAgent: Thank you, goodbye."
                : nil
            call.recordingURL = nil
            call.objectives = .array([.object(["name": "reach the contact", "achieved": .bool(answered)])])
            try await completion.finish(call)
        }
    }
}
