import VoxworksCore
import VoxworksStore

/// The request log's knobs (docs/request-log.md).
public struct RequestLogSettings: Sendable {
    /// Bytes of each body kept (`VOXWORKS_REQUEST_LOG_BODY_BYTES`); the rest
    /// is counted in `body_bytes` and flagged `body_truncated`.
    public var bodyBytes = 16_384
    /// Refused requests recorded per automation per second
    /// (`VOXWORKS_REQUEST_LOG_REFUSED_PER_SECOND`); the others are counted
    /// in `voxworks_request_log_dropped_total{reason="flood"}`. 0 records
    /// no refused request.
    public var refusedPerSecond = 20
    /// Records older than this are deleted by the janitor
    /// (`VOXWORKS_REQUEST_LOG_RETENTION_HOURS`).
    public var retentionHours = 168
    /// Records waiting for the background writer, at most; past either
    /// bound a record is dropped (`reason="queue_full"`), never waited for.
    public var queueCapacity = 40_000
    public var queueBytes = 32 << 20
    /// Records per write (one transaction), and the pause before each
    /// write that lets a batch build up.
    public var batchSize = 4_096
    public var writeInterval: Duration = .milliseconds(250)
    /// Lines per second the refusal log writes at `info` on this node; the
    /// rest are summed up in one line ("N refused webhooks not logged").
    public var refusalLinesPerSecond = 10

    public init() {}

    public var retentionSeconds: Double { Double(retentionHours) * 3_600 }

    /// How the log is read at `now`: what retention still shows, and the body's bytes kept.
    func view(now: Timestamp) -> RequestLogView {
        RequestLogView(keptSince: now.adding(seconds: -retentionSeconds), bodyBytes: bodyBytes)
    }
}
