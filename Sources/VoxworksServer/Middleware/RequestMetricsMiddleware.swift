import Hummingbird
import VoxworksStore

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
        metrics.request(route: context.endpointPath ?? "unmatched", status: Int(response.status.code), seconds: seconds)
        return response
    }
}
