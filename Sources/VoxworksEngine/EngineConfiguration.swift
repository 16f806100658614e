import Foundation
import VoxworksCore

/// The engine's knobs (see the configuration table in the README).
public struct EngineConfiguration: Sendable {
    /// Executions in flight at once on this node (`VOXWORKS_WORKERS`). An
    /// execution waiting on a receiver is a suspended task, not a thread,
    /// so the default is sized for I/O rather than for the cores.
    public var workers: Int
    /// How long a claim lasts without a heartbeat.
    public var leaseSeconds: Double = 30
    /// The slowest an idle worker looks for due work (retries, delays) it was not told about.
    public var idlePoll: Duration = .milliseconds(500)
    /// How often expired leases are returned to the queue.
    public var sweepInterval: Duration = .seconds(5)
    /// Region for local phone numbers (`VOXWORKS_DEFAULT_REGION`).
    public var defaultRegion = "AU"
    /// Hosts, addresses and CIDRs, each with an optional port, that
    /// `http_request` may reach although private or loopback
    /// (`VOXWORKS_OUTBOUND_ALLOW`, in `OutboundPolicy.Entry`'s syntax).
    public var outboundAllow: [String] = []
    /// Where this node's own HTTP server listens: refused to `http_request`
    /// unless an allow-list entry names its port. Set by the composition root.
    public var ownListenAddress: OutboundPolicy.ListenAddress?
    /// Per-destination protection of `http_request` (`VOXWORKS_CIRCUIT_FAILURES`,
    /// `VOXWORKS_CIRCUIT_COOLDOWN_SECONDS`, `VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS`,
    /// `VOXWORKS_DESTINATION_MAX_IN_FLIGHT`), per node.
    public var destinationSettings = DestinationCircuits.Settings()
    /// The simulated call provider: how long a call lasts and how it ends.
    public var callSimulatorSeconds: Double = 5
    public var callSimulatorStatus = "completed"

    public static let defaultWorkers = 256

    public init(workers: Int = EngineConfiguration.defaultWorkers) {
        self.workers = max(1, workers)
    }
}
