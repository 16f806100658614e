import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The overview, the console's landing page: the last 24 hours of the
/// team's requests and executions, counted by the store, charted as SVG.
extension ConsoleController {
    /// Where the request numbers come from: the request log.
    var overviewRequests: any OverviewRequestSource { RequestLogOverviewSource(store: store) }

    /// 24 hourly buckets: the current hour (partial) and the 23 before it.
    static let overviewHours = 24

    @Sendable func overview(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let now = clock()
        let hour = ExecutionOverview.hourMillis
        let since = Timestamp(millis: (now.millis / hour - Int64(Self.overviewHours - 1)) * hour)
        let overviewStore: any ExecutionOverviewStore = store
        let overview = try await overviewStore.executionOverview(teamID: session.teamID, since: since, until: now.adding(seconds: 0.001))
        let requests = try await overviewRequests.requestCounts(teamID: session.teamID, overview: overview)
        let starts = overview.hours.map(\.start)
        let fromDay = String(since.rfc3339.prefix(10))
        func logLink(_ status: ExecutionStatus) -> String { "/app/executions?status=\(status.rawValue)&from=\(fromDay)" }
        let values: [String: Any] = [
            "since": since.rfc3339,
            "sinceText": ConsoleFormat.absolute(since),
            "until": now.rfc3339,
            "untilText": ConsoleFormat.absolute(now),
            "requestsReceived": requests.received.map(String.init) ?? "—",
            "requestsRefused": requests.refused.map(String.init) ?? "not recorded",
            "requestsAccepted": requests.accepted,
            "requestCoverage": requests.coverage,
            "executionsReceived": overview.received,
            "completed": overview.completed,
            "failed": overview.failed,
            "deadLettered": overview.deadLettered,
            "failedURL": logLink(.failed),
            "deadLetterURL": logLink(.deadLetter),
            "p50": ConsoleFormat.duration(overview.p50Millis),
            "p99": ConsoleFormat.duration(overview.p99Millis),
            "requestChart": ConsoleChart.stacked(
                [ConsoleChart.Series(css: "accepted", label: "accepted", values: requests.acceptedByHour)], hours: starts,
                title: "Webhook requests accepted per hour"),
            "finishedChart": ConsoleChart.stacked(
                [
                    ConsoleChart.Series(css: "completed", label: "completed", values: overview.hours.map(\.completed)),
                    ConsoleChart.Series(css: "failed", label: "failed", values: overview.hours.map(\.failed)),
                    ConsoleChart.Series(css: "dead_letter", label: "dead-lettered", values: overview.hours.map(\.deadLettered)),
                ], hours: starts, title: "Executions finished per hour"),
            "hours": overview.hours.map { bucket -> [String: Any] in
                [
                    "hour": ConsoleChart.hourLabel(bucket.start), "start": bucket.start.rfc3339, "received": bucket.received,
                    "completed": bucket.completed, "failed": bucket.failed, "deadLettered": bucket.deadLettered,
                ]
            },
            "navOverview": true,
        ]
        return ConsolePage.render("overview", title: "Overview", values: values, session: session, notice: Self.notice(request))
    }
}
