import Hummingbird
import VoxworksCore
import VoxworksStore

/// `GET /api/v1/health`: `200` while the store answers, `503` when it does not.
struct HealthController {
    let store: any Store

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.get("/api/v1/health", use: health)
    }

    @Sendable func health(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        do {
            try await store.checkHealth()
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.storeUnavailable
        }
        return JSONResponse.make(.ok, .object(["success": true, "status": "ok"]))
    }
}
