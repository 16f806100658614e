import Hummingbird
import VoxworksCore
import VoxworksEngine

/// The destinations page: this node's circuits and in-flight counts for
/// the receivers the team's `http_request` steps send to.
extension ConsoleController {
    @Sendable func destinations(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        // Circuits are shared by every team sending to a receiver; a team
        // sees only the receivers its own executions sent to.
        let shown = (circuits?.snapshot() ?? []).filter { $0.team == session.teamID }
        let settings = circuits?.settings ?? DestinationCircuits.Settings()
        let rows: [[String: Any]] = shown.map { destination in
            [
                "origin": destination.origin.description,
                "state": Self.label(destination.state),
                "failures": destination.consecutiveFailures,
                "openUntil": destination.openUntil.map { $0.rfc3339 as Any } ?? false,
                "inFlight": destination.inFlight,
            ]
        }
        let values: [String: Any] = [
            "destinations": rows,
            "hasDestinations": !rows.isEmpty,
            "failureThreshold": settings.failureThreshold,
            "maxInFlight": settings.maxInFlight,
            "updatedAt": Timestamp(millis: clock().millis / 1000 * 1000).rfc3339,
            "navDestinations": true,
        ]
        return ConsolePage.render("destinations", title: "Destinations", values: values, session: session, notice: Self.notice(request))
    }

    static func label(_ state: DestinationCircuits.State) -> String {
        switch state {
        case .closed: "Closed (sending)"
        case .open: "Open (paused)"
        case .halfOpen: "Half-open (trying one request)"
        }
    }
}
