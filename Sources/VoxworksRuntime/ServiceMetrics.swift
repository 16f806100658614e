import CoreMetrics
import VoxworksCore

/// The service's own measurements, written through swift-metrics to a
/// factory the composition root chooses (Prometheus for `/metrics`, a
/// no-op where nothing scrapes). Passed explicitly rather than through the
/// global `MetricsSystem`, so that two servers in one test process keep
/// separate numbers.
public struct ServiceMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public static let disabled = ServiceMetrics(factory: NOOPMetricsHandler.instance)

    /// One HTTP request, by route template (never the raw path: it holds
    /// tokens); `ingest` when it was a webhook, whose time is also kept apart.
    public func request(route: String, status: Int, seconds: Double, ingest: Bool) {
        Counter(label: "voxworks_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
            .increment()
        if ingest {
            Timer(label: "voxworks_ingest_duration_seconds", factory: factory).recordNanoseconds(Int64(seconds * 1e9))
        }
    }

    /// Request log records not written, by reason: `flood` (refused
    /// requests past the per-automation cap), `queue_full`, `store_error`.
    public func requestLogDropped(reason: String, count: Int = 1) {
        Counter(label: "voxworks_request_log_dropped_total", dimensions: [("reason", reason)], factory: factory).increment(by: count)
    }

    /// How many webhooks one group commit held.
    public func ingestBatch(size: Int) {
        Recorder(label: "voxworks_ingest_batch_size", aggregate: true, factory: factory).record(size)
    }

    public func executionFinished(status: ExecutionStatus) {
        Counter(label: "voxworks_executions_finished_total", dimensions: [("status", status.rawValue)], factory: factory).increment()
        if status == .deadLetter {
            Counter(label: "voxworks_dead_letters_total", factory: factory).increment()
        }
    }

    public func retryScheduled() {
        Counter(label: "voxworks_execution_retries_total", factory: factory).increment()
    }

    /// An execution sent back to the queue by its destination's circuit or in-flight cap.
    public func executionDeferred() {
        Counter(label: "voxworks_executions_deferred_total", factory: factory).increment()
    }

    public func step(type: String, status: StepStatus, seconds: Double) {
        Timer(label: "voxworks_step_duration_seconds", dimensions: [("type", type), ("status", status.rawValue)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Workers running an execution right now.
    public func workerBusy() { Meter(label: "voxworks_busy_workers", factory: factory).increment() }
    public func workerIdle() { Meter(label: "voxworks_busy_workers", factory: factory).decrement() }
}
