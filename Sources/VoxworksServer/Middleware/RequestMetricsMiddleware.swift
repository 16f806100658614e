import Hummingbird
import VoxworksRuntime

/// Counts requests by route template and status, and times webhook
/// ingestion. Outermost, so it sees the status `ContractMiddleware` chose.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The template (`/api/v1/hooks/{token}`), never the path: paths hold tokens.
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, status: Int(response.status.code), seconds: seconds, ingest: route.hasPrefix("/api/v1/hooks/"))
        return response
    }
}
