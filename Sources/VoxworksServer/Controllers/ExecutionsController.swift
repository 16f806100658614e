import Hummingbird
import VoxworksCore
import VoxworksStore
import VoxworksRuntime

import Foundation

/// What arrived and what became of it, newest first.
struct ExecutionsController {
    let store: any ExecutionLookup & ExecutionStore & AutomationStore & RequestLogStore
    let workSignal: WorkSignal
    let clock: @Sendable () -> Timestamp
    let requestLog: RequestLogSettings

    var actions: ExecutionActions { ExecutionActions(store: store, workSignal: workSignal, clock: clock) }

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.get("/executions", use: list)
        group.get("/executions/:id", use: show)
        group.post("/executions/:id/replay", use: replay)
        group.post("/executions/:id/cancel", use: cancel)
    }

    @Sendable func list(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let parameters = QueryParsing.parameters(request.uri.query)
        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        let window = try ListWindow(parameters)
        var query = ExecutionQuery(
            automationID: window.automationID, createdAfter: window.createdAfter, createdBefore: window.createdBefore,
            before: window.before, limit: window.limit)
        if let status = text("status") {
            guard let parsed = ExecutionStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "status must be one of: \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = parsed
        }
        if let key = text("idempotency_key") {
            // No stored key is longer (the webhook endpoint refuses them): say so rather than scan for nothing.
            guard key.unicodeScalars.count <= 255 else { throw APIError.badRequest("idempotency_key must be at most 255 characters") }
            query.idempotencyKey = key
        }
        query.payloadField = try Self.payloadField(parameters)
        let executions = try await store.executions(teamID: teamID, query: query)
        let nextCursor: JSONValue = executions.count == query.limit ? (executions.last?.id.lowercased.json ?? .null) : .null
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "executions": .array(executions.map { APIRepresentation.execution($0, steps: nil) }),
                "meta": .object(["next_cursor": nextCursor]),
            ]))
    }

    @Sendable func show(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let execution = try await ownExecution(context)
        let steps = try await store.steps(executionID: execution.id)
        var representation = APIRepresentation.execution(execution, steps: steps).objectValue ?? JSONObject()
        // The request that created it, from the request log (null past its retention).
        representation["request_id"] =
            try await store.requestID(executionID: execution.id, teamID: execution.teamID, view: requestLog.view(now: clock()))?.lowercased
            .json ?? .null
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "execution": .object(representation),
            ]))
    }

    /// A new execution of the same payload. `from: start` runs every step
    /// again with the automation's current definition; `from: failed_step`
    /// keeps the steps that completed (and their context) and runs the rest.
    @Sendable func replay(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let original = try await ownExecution(context)
        var request = request
        let body = try await request.jsonObjectBody(allowEmpty: true)
        try BodyFields.check(body, accepted: BodyFields.replay)
        let from = body["from"].map { $0.stringValue ?? "" } ?? "start"
        guard from == "start" || from == "failed_step" else {
            throw APIError.badRequest("from must be \"start\" or \"failed_step\"")
        }
        let id = try await actions.replay(original, from: from == "failed_step" ? .failedStep : .start)
        return JSONResponse.make(.accepted, text: HooksController.acceptedBody(id))
    }

    @Sendable func cancel(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let execution = try await ownExecution(context)
        let cancelled = try await actions.cancel(execution, teamID: teamID)
        let steps = try await store.steps(executionID: cancelled.id)
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "execution": APIRepresentation.execution(cancelled, steps: steps),
            ]))
    }

    /// At most one `payload.<key>[.<key>…]=value` (the scan tests one field).
    static func payloadField(_ parameters: [String: String]) throws -> ExecutionPayloadFilter? {
        let named = parameters.filter { $0.key.hasPrefix(ExecutionPayloadFilter.prefix) }
        guard let (name, value) = named.first else { return nil }
        guard named.count == 1 else { throw APIError.badRequest("at most one payload.<path> filter may be given") }
        guard let filter = ExecutionPayloadFilter(name: name, value: value) else {
            throw APIError.badRequest(
                "\(Truncation.text(name, maxBytes: 100)) must be payload. followed by 1 to \(ExecutionPayloadFilter.maxDepth) "
                    + "dot-separated keys, none empty")
        }
        return filter
    }

    private func ownExecution(_ context: VoxworksRequestContext) async throws -> Execution {
        let teamID = try context.requireTeam()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
            let execution = try await store.execution(id: id, teamID: teamID)
        else { throw APIError.notFound("Execution") }
        return execution
    }
}
