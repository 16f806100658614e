import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The execution log (global and per automation, filters, paging, live
/// refresh) and the execution detail page with replay and cancel.
extension ConsoleController {
    static let logPageSize = 25

    static func isFragment(_ request: Request) -> Bool { request.headers[.consoleFragment] == "1" }

    @Sendable func executions(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var query = ExecutionQuery(limit: Self.logPageSize)
        query.automationID = try QueryParsing.uuid(text("automation_id"), name: "automation_id")
        query.before = try QueryParsing.uuid(text("cursor"), name: "cursor")
        if let status = text("status") {
            guard let parsed = ExecutionStatus(rawValue: status) else {
                throw ConsoleError(.badRequest, "Unknown status filter.")
            }
            query.status = parsed
        }
        let filters = try ExecutionLogFilters(from: text("from"), to: text("to"), idempotencyKey: text("idempotency_key"))
        filters.apply(to: &query)
        let page = try await store.executions(teamID: session.teamID, query: query)
        let now = clock()
        var names: [UUID: String] = [:]
        let rows = try await executionRows(page, teamID: session.teamID, now: now, names: &names)
        func link(cursor: UUID?) -> String {
            var items: [String] = []
            if let status = query.status { items.append("status=\(status.rawValue)") }
            if let automationID = query.automationID { items.append("automation_id=\(automationID.lowercased)") }
            items += filters.queryItems
            if let cursor { items.append("cursor=\(cursor.lowercased)") }
            return "/app/executions" + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let olderURL: Any = if page.count == query.limit, let last = page.last { link(cursor: last.id) } else { false }
        var values: [String: Any] = [
            "executions": rows,
            "hasExecutions": !rows.isEmpty,
            "updatedAt": Timestamp(millis: now.millis / 1000 * 1000).rfc3339,
            "olderURL": olderURL,
            "newestURL": query.before != nil ? link(cursor: nil) as Any : false,
        ]
        if Self.isFragment(request) {
            return ConsolePage.fragment("executions_table", values)
        }
        let automations = try await store.automations(teamID: session.teamID, after: nil, limit: 100)
        values["statuses"] = ExecutionStatus.allCases.map { status -> [String: Any] in
            [
                "value": status.rawValue, "label": ConsoleFormat.badge(status)["label"] ?? status.rawValue,
                "selected": status == query.status,
            ]
        }
        values["automationOptions"] = automations.map { automation -> [String: Any] in
            ["value": automation.id.lowercased, "label": automation.name, "selected": automation.id == query.automationID]
        }
        var heading = "Executions"
        if let automationID = query.automationID {
            heading = "Executions of \(try await automationName(automationID, teamID: session.teamID, cache: &names))"
        }
        values.merge(try await bulkReplayOffer(teamID: session.teamID, request: request)) { $1 }
        values["heading"] = heading
        values.merge(filters.formValues) { current, _ in current }
        values["navExecutions"] = true
        return ConsolePage.render("executions", title: heading, values: values, session: session, notice: Self.notice(request))
    }

    /// The log's rows (also the automation page's recent executions).
    func executionRows(_ page: [Execution], teamID: UUID, now: Timestamp, names: inout [UUID: String]) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for execution in page {
            rows.append([
                "id": execution.id.lowercased,
                "shortID": ConsoleFormat.shortID(execution.id),
                "badge": ConsoleFormat.badge(execution.status),
                "automationName": try await automationName(execution.automationID, teamID: teamID, cache: &names),
                "receivedAt": execution.receivedAt.rfc3339,
                "relative": ConsoleFormat.relative(execution.receivedAt, now: now),
                "absolute": ConsoleFormat.absolute(execution.receivedAt),
                "duration": ConsoleFormat.duration(execution.durationMillis),
                "stepsCompleted": execution.stepsCompleted,
                "stepsTotal": execution.stepsTotal,
                "listedError": ConsoleFormat.listedError(execution.error) ?? false,
            ])
        }
        return rows
    }

    /// The newest executions of one automation, as the log's table.
    func recentExecutions(of automation: Automation, teamID: UUID) async throws -> [String: Any] {
        let now = clock()
        var names = [automation.id: automation.name]
        let page = try await store.executions(teamID: teamID, query: ExecutionQuery(automationID: automation.id, limit: 5))
        let rows = try await executionRows(page, teamID: teamID, now: now, names: &names)
        return [
            "executions": rows,
            "hasExecutions": !rows.isEmpty,
            "updatedAt": Timestamp(millis: now.millis / 1000 * 1000).rfc3339,
            "olderURL": page.count == 5 ? "/app/executions?automation_id=\(automation.id.lowercased)" as Any : false,
            "newestURL": false,
        ]
    }

    private func automationName(_ id: UUID, teamID: UUID, cache: inout [UUID: String]) async throws -> String {
        if let name = cache[id] { return name }
        let name = try await store.automation(id: id, teamID: teamID)?.name ?? "(deleted automation)"
        cache[id] = name
        return name
    }

    @Sendable func execution(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (execution, session) = try await ownExecution(context)
        let steps = try await store.steps(executionID: execution.id)
        let automation = try await store.automation(id: execution.automationID, teamID: session.teamID)
        let now = clock()
        let id = execution.id.lowercased
        // Errors first, then the payload, then the steps' values: see ConsoleRenderBudget.
        var budget = ConsoleRenderBudget(bytes: ConsoleRenderBudget.executionPage)
        let executionError = execution.error.map { budget.text($0) }
        let stepErrors = steps.map { step in step.error.map { budget.text($0) } }
        // The payload takes its whole share whatever its size, so that the steps
        // read the same on the page and in its live refresh, which has no payload.
        let payloadShare = budget.take(ConsoleFormat.maxValueBytes)
        let payload =
            Self.isFragment(request)
            ? ConsoleRendered(text: "", isCut: false) : ConsoleFormat.payload(execution.body, maxBytes: payloadShare)
        let rawURL = "/app/executions/\(id)/raw"
        var stepRows: [[String: Any]] = []
        for (step, stepError) in zip(steps, stepErrors) {
            let badge = ConsoleFormat.badge(step.status)
            let input = step.input.map { budget.pretty($0) }
            let output = step.output.map { budget.pretty($0) }
            let attemptRows = ConsoleAttemptRows.rows(step.attemptLog, budget: &budget)
            stepRows.append([
                "stepID": step.stepID,
                "type": step.type,
                "badge": badge,
                "css": badge["css"] ?? "",
                "duration": ConsoleFormat.duration(step.durationMillis),
                "attempts": step.attempts,
                "attemptRows": attemptRows,
                "hasAttempts": !attemptRows.isEmpty,
                "attemptTotal": step.attemptLog.total,
                "stepError": stepError ?? false,
                "input": input?.text ?? "—",
                "output": output?.text ?? "—",
                "inputCut": input?.isCut ?? false,
                "outputCut": output?.isCut ?? false,
                "rawURL": rawURL,
                "open": step.status == .failed,
            ])
        }
        let requestID = try await store.requestID(
            executionID: execution.id, teamID: session.teamID, view: configuration.requestLog.view(now: clock()))
        let values: [String: Any] = [
            "id": id,
            "requestID": requestID?.lowercased ?? false,
            "shortID": ConsoleFormat.shortID(execution.id),
            "automationID": execution.automationID.lowercased,
            "automationName": automation?.name ?? "(deleted automation)",
            "hasAutomation": automation != nil,
            "badge": ConsoleFormat.badge(execution.status),
            "receivedAt": execution.receivedAt.rfc3339,
            "relative": ConsoleFormat.relative(execution.receivedAt, now: now),
            "absolute": ConsoleFormat.absolute(execution.receivedAt),
            "duration": ConsoleFormat.duration(execution.durationMillis),
            "stepsCompleted": execution.stepsCompleted,
            "stepsTotal": execution.stepsTotal,
            "attempt": execution.attempt,
            "replayOf": execution.replayOf?.lowercased ?? false,
            "replayOfShort": execution.replayOf.map(ConsoleFormat.shortID) ?? "",
            "resolvedBy": execution.resolvedBy?.lowercased ?? false,
            "resolvedByShort": execution.resolvedBy.map(ConsoleFormat.shortID) ?? "",
            "error": executionError ?? false,
            "steps": stepRows,
            "hasSteps": !stepRows.isEmpty,
            "payload": payload.text,
            "payloadCut": payload.isCut,
            "payloadRawURL": "/app/executions/\(id)/payload.json",
            "live": !execution.status.isFinal,
            "canReplayFailed": execution.status == .failed || execution.status == .deadLetter,
            "canCancel": !execution.status.isFinal,
        ]
        if Self.isFragment(request) {
            var response = ConsolePage.fragment("execution_live", values)
            if execution.status.isFinal { response.headers[.consoleFinal] = "1" }
            return response
        }
        return ConsolePage.render(
            "execution", title: "Execution \(ConsoleFormat.shortID(execution.id))", values: values, session: session,
            notice: Self.notice(request))
    }

    @Sendable func replay(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (execution, _) = try await ownExecution(context)
        let from: ExecutionActions.ReplayStart = context.consoleForm["from"] == "failed_step" ? .failedStep : .start
        let id = try await executionActions.replay(execution, from: from)
        return ConsolePage.redirect("/app/executions/\(id.lowercased)?done=replayed")
    }

    @Sendable func cancel(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (execution, session) = try await ownExecution(context)
        _ = try await executionActions.cancel(execution, teamID: session.teamID)
        return ConsolePage.redirect("/app/executions/\(execution.id.lowercased)?done=cancelled")
    }
}

extension HTTPField.Name {
    static let consoleFinal = named("X-Console-Final")
}
