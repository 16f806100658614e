import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import VoxworksCore
import VoxworksEngine
import VoxworksStore

/// `GET /metrics` in the Prometheus text format. Off unless
/// `VOXWORKS_METRICS_TOKEN` is set (it then answers like an unknown route),
/// and behind that token as a Bearer credential when it is.
struct MetricsController {
    let registry: PrometheusCollectorRegistry
    let store: any MaintenanceStore
    /// This node's destinations (nil: a node without them shows none).
    let circuits: DestinationCircuits?
    let token: String?
    let clock: @Sendable () -> Timestamp

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.get("/metrics", use: scrape)
    }

    private func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "voxworks", metricName: name, unitName: unit, helpText: help))
    }

    @Sendable func scrape(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        guard let token else { throw APIError(.notFound, "Not found") }
        let presented = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        // Compare digests, so the time taken says nothing about the token.
        guard Array(SHA256.hash(data: Array(presented.utf8))) == Array(SHA256.hash(data: Array(token.utf8))) else {
            throw APIError(.unauthorized, "Invalid metrics token")
        }
        let now = clock()
        let stats = try await store.queueStats(now: now)
        gauge("executions", "pending", "Executions queued, including those waiting for a retry").set(Double(stats.pending))
        gauge("executions", "processing", "Executions a worker is running").set(Double(stats.running))
        gauge("executions", "waiting", "Executions parked on a delay or a call").set(Double(stats.waiting))
        gauge("oldest_pending_age", "seconds", "Age of the oldest pending execution").set(stats.oldestPendingAgeSeconds(now: now))
        gauge("dead_letter", "executions", "Dead-lettered executions that no replay has resolved").set(Double(stats.deadLetters))
        if let bytes = stats.storeBytes {
            gauge("store", "bytes", "Size of the store on disk").set(Double(bytes))
        }
        // Per node: each node keeps its own circuits (their states are not shared).
        let destinations = circuits?.snapshot() ?? []
        let open = destinations.filter { $0.state == .open }.count
        gauge("circuits", "open", "Destinations whose circuit is open on this node").set(Double(open))
        for state in DestinationCircuits.State.allCases {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "voxworks", metricName: "circuits", unitName: "",
                    helpText: "Destinations with a circuit on this node, by state"),
                labels: [("state", state.rawValue)]
            )
            .set(Double(destinations.filter { $0.state == state }.count))
        }
        gauge("destination_requests", "in_flight", "http_request requests under way from this node")
            .set(Double(destinations.reduce(0) { $0 + $1.inFlight }))
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}
