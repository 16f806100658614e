import Hummingbird
import VoxworksCore
import VoxworksStore

/// Deleting an automation: a confirmation page (a plain link leads there,
/// so it works without JavaScript), then a CSRF-checked POST, like every
/// other console action. The API's `DELETE /api/v1/automations/{id}` does
/// the same to the store.
extension ConsoleController {
    @Sendable func confirmDeleteAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        return ConsolePage.render(
            "automation_delete", title: "Delete \(automation.name)",
            values: ["id": automation.id.lowercased, "name": automation.name, "navAutomations": true], session: session)
    }

    @Sendable func deleteAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        guard try await store.deleteAutomation(id: automation.id, teamID: session.teamID, now: clock()) else {
            throw ConsoleError.notFound("Automation")
        }
        return ConsolePage.redirect("/app/automations?done=deleted")
    }
}
