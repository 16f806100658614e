import HTTPTypes
import Hummingbird
import VoxworksCore

/// Refuses a management request whose query names a parameter its route
/// does not take: `400 unknown query parameter "idempotency_kye" (did you
/// mean "idempotency_key"?)`. A misspelt filter used to be ignored, and
/// the answer was every execution instead of the few asked for.
///
/// A parameter given twice is refused too (`limit=5&limit=500`): every
/// management parameter takes one value, and answering with the first of
/// two would hide which one the caller meant.
///
/// Only the management group (behind the API key) runs it: the webhook
/// endpoint takes any query, because providers add their own.
struct StrictQueryMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, !query.isEmpty {
            let accepted = ManagementQuery.accepted(method: request.method, route: context.endpointPath ?? "")
            try accepted.check(QueryParsing.pairs(query).map(\.name))
        }
        return try await next(request, context)
    }
}

/// The query parameters each management route takes; a route not listed
/// takes none. A new route with parameters adds its row here (and in
/// docs/openapi.yaml, which schemathesis checks against the server).
struct ManagementQuery: Sendable {
    var names: [String]
    /// Families of names: `payload.` takes `payload.lead.email` and the like.
    var prefixes: [String] = []

    static let none = ManagementQuery(names: [])
    static let page = ["cursor", "limit"]

    static let routes: [String: ManagementQuery] = [
        "GET /api/v1/automations": ManagementQuery(names: page),
        "GET /api/v1/executions": ManagementQuery(
            names: page + ["automation_id", "status", "created_after", "created_before", "idempotency_key"],
            prefixes: [ExecutionPayloadFilter.prefix]),
        "GET /api/v1/requests": ManagementQuery(names: page + ["automation_id", "status", "created_after", "created_before"]),
        "GET /api/v1/contacts": ManagementQuery(names: page + ["email", "phone_number"]),
        "GET /api/v1/calls": ManagementQuery(
            names: page + ["contact_id", "created_after", "created_before", "status", "script_id", "type", "progress"]),
    ]

    static func accepted(method: HTTPRequest.Method, route: String) -> ManagementQuery {
        // HEAD is answered by the GET route, with its parameters.
        let name = method == .head ? HTTPRequest.Method.get.rawValue : method.rawValue
        return routes["\(name) \(route)"] ?? .none
    }

    func check(_ given: [String]) throws {
        for name in given where !names.contains(name) && !prefixes.contains(where: { name.hasPrefix($0) && name.count > $0.count }) {
            throw APIError.unknownName(name, kind: "query parameter", known: names + prefixes.map { $0 + "…" })
        }
        var seen = Set<String>()
        for name in given where !seen.insert(name).inserted {
            throw APIError.badRequest("query parameter \"\(Truncation.text(name, maxBytes: 100))\" is given more than once")
        }
    }
}

extension APIError {
    /// `unknown <kind> "<name>"`, with the nearest known name when one is close.
    static func unknownName(_ name: String, kind: String, known: [String]) -> APIError {
        let shown = Truncation.text(name, maxBytes: 100)
        let hint = NearestName.find(name, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
        let listed = known.isEmpty ? " (this endpoint takes none)" : ""
        return .badRequest("unknown \(kind) \"\(shown)\"\(hint)\(listed)")
    }
}
