import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The request log in the console: every request to a token of the team's
/// automations, accepted or refused, with filters (automation, status, a
/// date range), and each request's page with its kept headers and body.
extension ConsoleController {
    /// What one request's page renders of its headers and body, in all (see ConsoleRenderBudget).
    static let requestPageBudget = 96 * 1024

    @Sendable func requests(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? {
            parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        }
        var query = RequestLogQuery(limit: Self.logPageSize)
        query.automationID = try QueryParsing.uuid(text("automation_id"), name: "automation_id")
        query.before = try QueryParsing.uuid(text("cursor"), name: "cursor")
        if let status = text("status") {
            guard let code = Int(status), (100...599).contains(code) else { throw ConsoleError(.badRequest, "Unknown status filter.") }
            query.status = code
        }
        // A date range by whole days (UTC), as the browser's date inputs send them.
        let from = text("from"), to = text("to")
        if let from {
            guard let day = Self.day(from) else { throw ConsoleError(.badRequest, "The start date must look like 2026-01-31.") }
            query.createdAfter = day
        }
        if let to {
            guard let day = Self.day(to) else { throw ConsoleError(.badRequest, "The end date must look like 2026-01-31.") }
            query.createdBefore = day.adding(seconds: 86_400)
        }
        let page = try await store.requests(teamID: session.teamID, query: query, view: configuration.requestLog.view(now: clock()))
        let now = clock()
        let automations = try await store.automations(teamID: session.teamID, after: nil, limit: 100)
        var names = Dictionary(automations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var rows: [[String: Any]] = []
        for record in page {
            if names[record.automationID] == nil {
                names[record.automationID] =
                    try await store.automation(id: record.automationID, teamID: session.teamID)?.name ?? "(deleted automation)"
            }
            rows.append([
                "id": record.id.lowercased,
                "shortID": ConsoleFormat.shortID(record.id),
                "status": record.status,
                "accepted": (200..<300).contains(record.status),
                "message": Truncation.text(record.message ?? "", maxBytes: 200),
                "automationName": names[record.automationID] ?? "",
                "receivedAt": record.receivedAt.rfc3339,
                "relative": ConsoleFormat.relative(record.receivedAt, now: now),
                "duration": ConsoleFormat.duration(Int64(record.durationMillis)),
            ])
        }
        func link(cursor: UUID?) -> String {
            var items: [String] = []
            if let status = query.status { items.append("status=\(status)") }
            if let automationID = query.automationID { items.append("automation_id=\(automationID.lowercased)") }
            if let from, Self.day(from) != nil { items.append("from=\(from)") }
            if let to, Self.day(to) != nil { items.append("to=\(to)") }
            if let cursor { items.append("cursor=\(cursor.lowercased)") }
            return "/app/requests" + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let values: [String: Any] = [
            "requests": rows,
            "hasRequests": !rows.isEmpty,
            "olderURL": page.count == query.limit ? (page.last.map { link(cursor: $0.id) } ?? "") as Any : false,
            "newestURL": query.before != nil ? link(cursor: nil) as Any : false,
            "statusFilter": query.status.map(String.init) ?? "",
            "from": from.flatMap { Self.day($0) != nil ? $0 : nil } ?? "",
            "to": to.flatMap { Self.day($0) != nil ? $0 : nil } ?? "",
            "automationOptions": automations.map { automation -> [String: Any] in
                ["value": automation.id.lowercased, "label": automation.name, "selected": automation.id == query.automationID]
            },
            "navRequests": true,
        ]
        return ConsolePage.render("requests", title: "Requests", values: values, session: session, notice: Self.notice(request))
    }

    @Sendable func requestDetail(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        guard
            let record = try await store.request(
                id: try uuidParameter(context, "Request"), teamID: session.teamID, view: configuration.requestLog.view(now: clock()))
        else {
            throw ConsoleError.notFound("Request")
        }
        let automation = try await store.automation(id: record.automationID, teamID: session.teamID)
        var budget = ConsoleRenderBudget(bytes: Self.requestPageBudget)
        let headers = record.headers.map { header -> [String: Any] in
            ["name": header.name, "value": budget.text(header.value, maxBytes: 1_024)]
        }
        let bodyShare = budget.take(ConsoleFormat.maxValueBytes)
        let body = ConsoleFormat.payload(record.body, maxBytes: bodyShare)
        let values: [String: Any] = [
            "id": record.id.lowercased,
            "shortID": ConsoleFormat.shortID(record.id),
            "status": record.status,
            "accepted": (200..<300).contains(record.status),
            "message": record.message.map { Truncation.text($0, maxBytes: ConsoleFormat.maxErrorBytes) } ?? false,
            "automationID": record.automationID.lowercased,
            "automationName": automation?.name ?? "(deleted automation)",
            "hasAutomation": automation != nil,
            "receivedAt": record.receivedAt.rfc3339,
            "relative": ConsoleFormat.relative(record.receivedAt, now: clock()),
            "duration": ConsoleFormat.duration(Int64(record.durationMillis)),
            "method": record.method,
            "contentType": record.contentType ?? "—",
            "sourceIP": record.sourceIP ?? "—",
            "idempotencyKey": record.idempotencyKey ?? false,
            "executionID": record.executionID?.lowercased ?? false,
            "headers": headers,
            "hasHeaders": !headers.isEmpty,
            "body": body.text,
            "hasBody": record.bodyBytes > 0,
            "bodyCut": body.isCut,
            "bodyTruncated": record.bodyTruncated,
            "bodyBytes": record.bodyBytes,
            "keptBytes": record.body.count,
            "navRequests": true,
        ]
        return ConsolePage.render(
            "request", title: "Request \(ConsoleFormat.shortID(record.id))", values: values, session: session, notice: nil)
    }

    /// `2026-01-31` as the start of that day in UTC.
    static func day(_ text: String) -> Timestamp? {
        guard text.utf8.count == 10 else { return nil }
        return Timestamp(rfc3339: text + "T00:00:00Z")
    }
}
