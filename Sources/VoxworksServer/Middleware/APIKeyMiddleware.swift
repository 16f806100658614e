import Foundation
import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

/// Bearer API keys for the management API. Keys are looked up by their
/// SHA-256; the key itself is never stored or logged.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let store: any Store

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.invalidAPIKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.invalidAPIKey }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("vx_"), key.utf8.count <= 200 else { throw APIError.invalidAPIKey }
        guard let teamID = try await store.teamID(forAPIKeyHash: SecretMaterial.hash(key)) else { throw APIError.invalidAPIKey }
        var context = context
        context.teamID = teamID
        return try await next(request, context)
    }
}

extension VoxworksRequestContext {
    /// The authenticated team; only reachable behind `APIKeyMiddleware`.
    func requireTeam() throws -> UUID {
        guard let teamID else { throw APIError.invalidAPIKey }
        return teamID
    }
}
