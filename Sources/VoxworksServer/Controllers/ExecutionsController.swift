import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// What arrived and what became of it, newest first.
struct ExecutionsController {
    let store: any Store

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.get("/executions", use: list)
        group.get("/executions/:id", use: show)
    }

    @Sendable func list(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var query = ExecutionQuery()
        query.limit = try QueryParsing.limit(text("limit"))
        query.automationID = try QueryParsing.uuid(text("automation_id"), name: "automation_id")
        query.before = try QueryParsing.uuid(text("cursor"), name: "cursor")
        query.createdAfter = try QueryParsing.time(text("created_after"), name: "created_after")
        query.createdBefore = try QueryParsing.time(text("created_before"), name: "created_before")
        if let status = text("status") {
            guard let parsed = ExecutionStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "status must be one of: \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = parsed
        }
        let executions = try await store.executions(teamID: teamID, query: query)
        let nextCursor: JSONValue = executions.count == query.limit ? (executions.last?.id.lowercased.json ?? .null) : .null
        return JSONResponse.make(.ok, .object([
            "success": true,
            "executions": .array(executions.map { APIRepresentation.execution($0, detailed: false) }),
            "meta": .object(["next_cursor": nextCursor]),
        ]))
    }

    @Sendable func show(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
              let execution = try await store.execution(id: id, teamID: teamID)
        else { throw APIError.notFound("Execution") }
        return JSONResponse.make(.ok, .object([
            "success": true,
            "execution": APIRepresentation.execution(execution, detailed: true),
        ]))
    }
}
