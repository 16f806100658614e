import Synchronization
import VoxworksCore

/// Where this node's round-robin of claims stands: the team it served last
/// and, per team, the automation it served last. The next claim starts
/// after them (teams, then automations, in id order, wrapping around), so
/// a team with a large backlog delays another team's work by at most one
/// round of claims. Kept in memory, per node (per store instance): each
/// node is fair on its own, and a restart only restarts the round. Also
/// carries the team concurrency cap (`VOXWORKS_TEAM_CONCURRENCY`).
public final class FairClaimCursor: Sendable {
    private struct State {
        var team: String?
        var automations: [String: String] = [:]
    }

    private let state = Mutex(State())
    private let cap = Atomic<Int>(ConcurrencyLimit.teamDefault)
    /// Teams remembered at most; past it the automation cursors start over
    /// (each team's round then restarts from its first automation).
    private let capacity = 10_000

    public init() {}

    /// Executions of one team in flight at once, across its automations.
    public var teamConcurrency: Int {
        get { cap.load(ordering: .relaxed) }
        set { cap.store(max(1, newValue), ordering: .relaxed) }
    }

    var lastTeam: String? { state.withLock { $0.team } }

    func lastAutomation(team: String) -> String? { state.withLock { $0.automations[team] } }

    /// PostgreSQL keeps the automation cursors in the database (shared by the nodes).
    func served(team: String) {
        state.withLock { $0.team = team }
    }

    func served(team: String, automation: String) {
        state.withLock { state in
            state.team = team
            if state.automations.count >= capacity, state.automations[team] == nil { state.automations.removeAll(keepingCapacity: true) }
            state.automations[team] = automation
        }
    }
}
