import Hummingbird
import VoxworksCore
import VoxworksStore

/// `GET /api/v1/health`: `200` while the store answers, `503` when it does not.
struct HealthController {
    let store: any MaintenanceStore

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.get("/api/v1/health", use: health)
    }

    /// A load balancer needs an answer, not a hang: a store that does not
    /// answer within this is as unhealthy as one that fails.
    static let deadline: Duration = .seconds(2)

    @Sendable func health(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let store = self.store
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await store.checkHealth()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: Self.deadline)
                    return false
                }
                defer { group.cancelAll() }
                guard try await group.next() == true else { throw HealthTimeout() }
            }
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.storeUnavailable
        }
        return JSONResponse.make(.ok, .object(["success": true, "status": "ok"]))
    }

    struct HealthTimeout: Error {}
}
