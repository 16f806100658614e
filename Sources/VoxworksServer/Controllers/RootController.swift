import HTTPTypes
import Hummingbird

/// `GET /`: a browser is sent to the web console (`302` to `/app`); any
/// other client gets the API's JSON answer for a path with nothing on it,
/// as before (a `404` in the contract's shape).
struct RootController {
    func addRoutes(to router: Router<VoxworksRequestContext>) {
        router.get("/", use: root)
    }

    @Sendable func root(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        guard Self.prefersHTML(request.headers[.accept]) else { throw HTTPError(.notFound) }
        var headers = HTTPFields()
        headers[.location] = "/app"
        return Response(status: .found, headers: headers)
    }

    /// Whether `Accept` names HTML explicitly and ranks it at least as high
    /// as JSON. A browser's navigation does (`text/html,…,*/*;q=0.8`);
    /// `*/*` alone (curl) or `application/json` does not.
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept, accept.utf8.count <= 1024 else { return false }
        var html = 0.0
        var json = 0.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)).map { min(1, max(0, $0)) } ?? 0
            }
            switch type {
            case "text/html", "application/xhtml+xml": html = max(html, quality)
            case "application/json": json = max(json, quality)
            case "application/*", "*/*": json = max(json, quality)
            default: break
            }
        }
        return html > 0 && html >= json
    }
}
