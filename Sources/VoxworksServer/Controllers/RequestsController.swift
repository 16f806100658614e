import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The request log over the API (docs/request-log.md): every request to a
/// token of the team's automations, newest first, with the same filters,
/// cursor and messages as `GET /api/v1/executions`.
struct RequestsController {
    let store: any RequestLogStore
    let settings: RequestLogSettings
    let clock: @Sendable () -> Timestamp

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.get("/requests", use: list)
        group.get("/requests/:id", use: show)
    }

    @Sendable func list(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let parameters = QueryParsing.parameters(request.uri.query)
        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        let window = try ListWindow(parameters)
        var query = RequestLogQuery(
            automationID: window.automationID, createdAfter: window.createdAfter, createdBefore: window.createdBefore,
            before: window.before, limit: window.limit)
        if let status = text("status") {
            guard let code = Int(status), (100...599).contains(code) else {
                throw APIError.badRequest("status must be an HTTP status from 100 to 599")
            }
            query.status = code
        }
        let records = try await store.requests(teamID: teamID, query: query, view: settings.view(now: clock()))
        let nextCursor: JSONValue = records.count == query.limit ? (records.last?.id.lowercased.json ?? .null) : .null
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "requests": .array(records.map(Self.representation)),
                "meta": .object(["next_cursor": nextCursor]),
            ]))
    }

    @Sendable func show(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
            let record = try await store.request(id: id, teamID: teamID, view: settings.view(now: clock()))
        else { throw APIError.notFound("Request") }
        return JSONResponse.make(.ok, .object(["success": true, "request": Self.representation(record)]))
    }

    /// The spec's shape; the body as text (bytes that are not UTF-8 become U+FFFD).
    static func representation(_ record: RequestRecord) -> JSONValue {
        .object([
            "id": .string(record.id.lowercased),
            "automation_id": .string(record.automationID.lowercased),
            "received_at": .string(record.receivedAt.rfc3339),
            "status": .int(record.status),
            "message": record.message.json,
            "execution_id": record.executionID?.lowercased.json ?? .null,
            "idempotency_key": record.idempotencyKey.json,
            "source_ip": record.sourceIP.json,
            "duration_ms": .int(record.durationMillis),
            "method": .string(record.method),
            "content_type": record.contentType.json,
            "headers": .object(JSONObject(record.headers.map { (key: $0.name, value: JSONValue.string($0.value)) })),
            "body": .string(String(decoding: record.body, as: UTF8.self)),
            "body_bytes": .int(record.bodyBytes),
            "body_truncated": .bool(record.bodyTruncated),
        ])
    }
}
