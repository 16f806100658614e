import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// Bulk replay: one request replays every execution that matches a filter,
/// as a job with progress (`BulkReplayRunner` works it in batches). A
/// retried request with the same `Idempotency-Key` answers the same job.
struct BulkReplayController {
    let store: any BulkReplayStore
    let clock: @Sendable () -> Timestamp
    /// Wakes this node's runner so the job starts at once.
    var wake: @Sendable () -> Void = {}

    /// A job replays at most this many executions; a filter that matches
    /// more is refused (narrow it by time and run several).
    static let maxExecutions = 100_000
    static let maxIdempotencyKeyLength = 255
    /// The statuses a job may take, and those a replay from the failed step may.
    static let replayable: [ExecutionStatus] = [.failed, .deadLetter, .completed, .cancelled]
    static let failedStepReplayable: [ExecutionStatus] = [.failed, .deadLetter]

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.post("/executions/bulk-replay", use: create)
        group.get("/bulk/:id", use: show)
        group.post("/bulk/:id/cancel", use: cancel)
    }

    @Sendable func create(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let key = try Self.idempotencyKey(request.headers[.idempotencyKey])
        var request = request
        let body = try await request.jsonObjectBody(context: context)
        let (filter, from) = try Self.parse(body)
        let creation = try await store.createBulkReplay(
            id: .v7(now: clock()), teamID: teamID, idempotencyKey: key, filter: filter, from: from, cap: Self.maxExecutions, now: clock())
        switch creation {
        case .created(let job):
            if job.status == .running { wake() }
            return JSONResponse.make(.accepted, .object(["success": true, "bulk": Self.representation(job)]))
        case .existing(let job):
            var headers = HTTPFields()
            headers[.idempotentReplayed] = "true"
            return JSONResponse.make(.accepted, .object(["success": true, "bulk": Self.representation(job)]), headers: headers)
        case .tooMany(let cap):
            throw APIError.badRequest(
                "The filter matches more than \(cap) executions, the most one bulk replay takes: narrow it (created_after, created_before, automation_id) and run several"
            )
        }
    }

    @Sendable func show(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let job = try await store.bulkReplay(id: try Self.id(context), teamID: teamID) else { throw APIError.notFound("Bulk replay") }
        return JSONResponse.make(.ok, .object(["success": true, "bulk": Self.representation(job)]))
    }

    @Sendable func cancel(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let job = try await store.cancelBulkReplay(id: try Self.id(context), teamID: teamID, now: clock()) else {
            throw APIError.notFound("Bulk replay")
        }
        guard job.status != .completed else { throw APIError(.conflict, "The bulk replay already completed") }
        return JSONResponse.make(.ok, .object(["success": true, "bulk": Self.representation(job)]))
    }

    private static func id(_ context: VoxworksRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("Bulk replay") }
        return id
    }

    static func idempotencyKey(_ header: String?) throws -> String? {
        guard let header else { return nil }
        let key = header.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.utf8.count <= maxIdempotencyKeyLength, key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
        else {
            throw APIError.badRequest("Idempotency-Key must be 1 to \(maxIdempotencyKeyLength) visible ASCII characters")
        }
        return key
    }

    /// The request body, strictly: an unknown field is refused by name.
    static func parse(_ body: JSONObject) throws -> (BulkReplayFilter, ReplayStart) {
        if let unknown = body.keys.first(where: { !["filter", "from"].contains($0) }) {
            throw APIError.badRequest("Unknown field \"\(unknown)\"; the fields are \"filter\" and \"from\"")
        }
        var from = ReplayStart.start
        if let value = body["from"] {
            guard let text = value.stringValue, let parsed = ReplayStart(rawValue: text) else {
                throw APIError.badRequest("from must be \"start\" or \"failed_step\"")
            }
            from = parsed
        }
        let fields = ["automation_id", "status", "created_after", "created_before"]
        let object: JSONObject
        switch body["filter"] {
        case nil: object = JSONObject()
        case .some(let value):
            guard let parsed = value.objectValue else { throw APIError.badRequest("filter must be an object") }
            object = parsed
        }
        if let unknown = object.keys.first(where: { !fields.contains($0) }) {
            throw APIError.badRequest(
                "Unknown field \"filter.\(unknown)\"; the filter's fields are \(fields.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        var filter = BulkReplayFilter(statuses: failedStepReplayable)
        filter.automationID = try QueryParsing.uuid(try text(object["automation_id"], "filter.automation_id"), name: "filter.automation_id")
        filter.createdAfter = try QueryParsing.time(try text(object["created_after"], "filter.created_after"), name: "filter.created_after")
        filter.createdBefore = try QueryParsing.time(
            try text(object["created_before"], "filter.created_before"), name: "filter.created_before")
        let allowed = from == .failedStep ? failedStepReplayable : replayable
        let allowedText = allowed.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        if let value = object["status"] {
            guard let array = value.arrayValue, !array.isEmpty else {
                throw APIError.badRequest("filter.status must be a non-empty array of: \(allowedText)")
            }
            var statuses: [ExecutionStatus] = []
            for element in array {
                guard let text = element.stringValue, let status = ExecutionStatus(rawValue: text), allowed.contains(status) else {
                    let shown = element.stringValue.map { "\"\($0)\"" } ?? element.serialized
                    throw APIError.badRequest(
                        "filter.status has \(shown); with from \"\(from.rawValue)\" it may hold: \(allowedText)")
                }
                if !statuses.contains(status) { statuses.append(status) }
            }
            filter.statuses = statuses
        }
        if let after = filter.createdAfter, let before = filter.createdBefore, after >= before {
            throw APIError.badRequest("filter.created_after must be before filter.created_before")
        }
        return (filter, from)
    }

    private static func text(_ value: JSONValue?, _ name: String) throws -> String? {
        guard let value else { return nil }
        // Strict: an empty string is a mistake here, not "no filter" as in a query string.
        guard let text = value.stringValue, !text.isEmpty else { throw APIError.badRequest("\(name) must be a non-empty string") }
        return text
    }

    static func representation(_ job: BulkReplay) -> JSONValue {
        var filter = JSONObject()
        filter["automation_id"] = job.filter.automationID?.lowercased.json ?? .null
        filter["status"] = .array(job.filter.statuses.map { .string($0.rawValue) })
        filter["created_after"] = job.filter.createdAfter?.rfc3339.json ?? .null
        filter["created_before"] = job.filter.createdBefore?.rfc3339.json ?? .null
        return .object([
            "id": .string(job.id.lowercased),
            "status": .string(job.status.rawValue),
            "total": .int(job.total),
            "done": .int(job.done),
            "failed": .int(job.failed),
            "from": .string(job.from.rawValue),
            "filter": .object(filter),
            "created_at": .string(job.createdAt.rfc3339),
            "finished_at": job.finishedAt?.rfc3339.json ?? .null,
        ])
    }
}
