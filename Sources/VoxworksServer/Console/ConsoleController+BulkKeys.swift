import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The keys page, and bulk replay from the execution log with its progress
/// page. Same rules as the API (`APIKeysController`, `BulkReplayController`).
extension ConsoleController {
    func addBulkKeysRoutes(to signedIn: RouterGroup<VoxworksRequestContext>) {
        signedIn.get("/keys", use: keysPage)
        signedIn.post("/keys", use: createKey)
        signedIn.post("/keys/:id/revoke", use: revokeKey)
        signedIn.post("/executions/bulk-replay", use: createBulkReplay)
        signedIn.get("/bulk/:id", use: bulkReplayPage)
        signedIn.post("/bulk/:id/cancel", use: cancelBulkReplay)
    }

    // MARK: Keys

    @Sendable func keysPage(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        return try await renderKeys(session: session, values: [:], notice: Self.notice(request))
    }

    private func renderKeys(session: ConsoleSession, values: [String: Any], status: HTTPResponse.Status = .ok, notice: String?)
        async throws -> Response
    {
        let keys = try await store.apiKeys(teamID: session.teamID)
        // Which row is the key this session signed in with (found by its hash, never shown).
        let currentID = try await store.apiKeyID(forHash: session.apiKeyHash, teamID: session.teamID)
        var data = values
        data["keys"] = keys.map { key -> [String: Any] in
            [
                "id": key.id.lowercased, "name": key.name, "prefix": key.prefix ?? "vx_", "createdAt": key.createdAt.rfc3339,
                "lastUsedAt": key.lastUsedAt?.rfc3339 ?? false, "revokedAt": key.revokedAt?.rfc3339 ?? false,
                "current": key.id == currentID,
            ]
        }
        for name in ["newKey", "newKeyName", "nameError"] where data[name] == nil { data[name] = false }
        data["navKeys"] = true
        return ConsolePage.render("keys", title: "API keys", values: data, session: session, status: status, notice: notice)
    }

    @Sendable func createKey(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let name: String
        do {
            name = try APIKeysController.name(context.consoleForm["name"].map(JSONValue.string))
        } catch let error as APIError {
            return try await renderKeys(session: session, values: ["nameError": error.message], status: .badRequest, notice: nil)
        }
        let (key, secret) = try await APIKeysController.issue(store: store, teamID: session.teamID, name: name, now: clock())
        // Rendered, not redirected: the key is in this one response and nowhere else.
        return try await renderKeys(
            session: session, values: ["newKey": secret, "newKeyName": key.name], status: .created, notice: "Key created.")
    }

    @Sendable func revokeKey(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let id = try uuidParameter(context, "API key")
        _ = try await APIKeysController.revoke(store: store, id: id, teamID: session.teamID, requestedBy: session.apiKeyHash, now: clock())
        return ConsolePage.redirect("/app/keys?done=key_revoked")
    }

    // MARK: Bulk replay

    /// The offer above the log: how many failed or dead-lettered executions
    /// the current filter would replay (only those not yet resolved), and the
    /// form that does it. Nothing for a filter on other statuses.
    func bulkReplayOffer(teamID: UUID, request: Request) async throws -> [String: Any] {
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var filter = BulkReplayFilter(statuses: BulkReplayController.failedStepReplayable)
        if let status = text("status").flatMap(ExecutionStatus.init(rawValue:)) {
            // Failed and dead-lettered work only: counting a filter on completed
            // executions could read most of the table on every view of the log
            // (the API replays those too).
            guard BulkReplayController.failedStepReplayable.contains(status) else { return [:] }
            filter.statuses = [status]
        }
        // A job cannot select by idempotency key: offering one under that
        // filter would replay more than the log shows.
        guard text("idempotency_key") == nil else { return [:] }
        filter.automationID = text("automation_id").flatMap(UUID.init(uuidString:))
        // The log's own date range (`from`/`to`, as its filter form sends
        // them), else the API's names.
        let range = try ExecutionLogFilters(from: text("from"), to: text("to"), idempotencyKey: nil)
        filter.createdAfter = range.receivedFrom ?? text("created_after").flatMap(Timestamp.init(rfc3339:))
        filter.createdBefore = range.receivedBefore ?? text("created_before").flatMap(Timestamp.init(rfc3339:))
        let cap = BulkReplayController.maxExecutions
        let count = try await store.countBulkReplayMatches(teamID: teamID, filter: filter, cap: cap)
        if count > cap { return ["bulkTooMany": cap] }
        guard count > 0 else { return [:] }
        let from: ReplayStart = filter.statuses.allSatisfy(BulkReplayController.failedStepReplayable.contains) ? .failedStep : .start
        return [
            "bulkOffer": [
                "count": count,
                "idempotencyKey": CSRFToken.generate(),
                "statuses": filter.statuses.map(\.rawValue).joined(separator: ","),
                "statusLabel": filter.statuses.map { ConsoleFormat.badge($0)["label"] as? String ?? $0.rawValue }.joined(separator: " or "),
                "automationID": filter.automationID?.lowercased ?? "",
                "createdAfter": filter.createdAfter?.rfc3339 ?? "",
                "createdBefore": filter.createdBefore?.rfc3339 ?? "",
                "from": from.rawValue,
                "fromLabel": Self.fromLabel(from),
            ] as [String: Any]
        ]
    }

    static func fromLabel(_ from: ReplayStart) -> String {
        switch from {
        case .start: "each from its start"
        case .failedStep: "each from its failed step"
        }
    }

    @Sendable func createBulkReplay(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let form = context.consoleForm
        var body = JSONObject()
        var filter = JSONObject()
        filter["status"] = .array((form["statuses"] ?? "").split(separator: ",").map { .string(String($0)) })
        for name in ["automation_id", "created_after", "created_before"] {
            if let value = form[name], !value.isEmpty { filter[name] = .string(value) }
        }
        body["filter"] = .object(filter)
        if let from = form["from"] { body["from"] = .string(from) }
        let (parsed, from) = try BulkReplayController.parse(body)
        let key = try BulkReplayController.idempotencyKey(form["bulk_key"])
        let creation = try await store.createBulkReplay(
            id: .v7(now: clock()), teamID: session.teamID, idempotencyKey: key, filter: parsed, from: from,
            cap: BulkReplayController.maxExecutions, now: clock())
        switch creation {
        case .created(let job), .existing(let job):
            return ConsolePage.redirect("/app/bulk/\(job.id.lowercased)")
        case .tooMany(let cap):
            throw ConsoleError(.badRequest, "More than \(cap) executions match: narrow the filter.")
        }
    }

    @Sendable func bulkReplayPage(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        guard let job = try await store.bulkReplay(id: try uuidParameter(context, "Bulk replay"), teamID: session.teamID) else {
            throw ConsoleError.notFound("Bulk replay")
        }
        let values: [String: Any] = [
            "id": job.id.lowercased, "shortID": ConsoleFormat.shortID(job.id), "status": job.status.rawValue,
            "running": job.status == .running, "total": job.total, "processed": job.done + job.failed, "done": job.done,
            "failed": job.failed, "fromLabel": Self.fromLabel(job.from), "createdAt": job.createdAt.rfc3339,
            "finishedAt": job.finishedAt?.rfc3339 ?? false,
        ]
        if Self.isFragment(request) {
            var response = ConsolePage.fragment("bulk_replay_live", values)
            if job.status != .running { response.headers[.consoleFinal] = "1" }
            return response
        }
        return ConsolePage.render(
            "bulk_replay", title: "Bulk replay \(ConsoleFormat.shortID(job.id))", values: values, session: session,
            notice: Self.notice(request))
    }

    @Sendable func cancelBulkReplay(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let id = try uuidParameter(context, "Bulk replay")
        guard try await store.cancelBulkReplay(id: id, teamID: session.teamID, now: clock()) != nil else {
            throw ConsoleError.notFound("Bulk replay")
        }
        return ConsolePage.redirect("/app/bulk/\(id.lowercased)?done=bulk_cancelled")
    }
}
