import GRDB
import VoxworksCore

extension SQLiteStore {
    /// Probes a claim may make before it gives up for this turn: a bound on
    /// one claim's work when thousands of teams or automations are all at
    /// their caps (the next claim goes on from where this one stopped).
    static let fairClaimProbeLimit = 2_000

    /// The next due pending execution, chosen fairly: the next team after
    /// the one this node served last (id order, wrapping around) that has
    /// due pending work and is under its cap, then the next of that team's
    /// automations after the one served last that has due work and is under
    /// its cap, then that automation's oldest due execution (run_at, then id).
    ///
    /// Every probe is one seek in `executions_fair` (pending rows by team,
    /// automation, run_at, id): the next team or automation is the first
    /// entry past the previous one, and whether an automation has due work
    /// is its first entry's run_at, so pending rows waiting for a later
    /// run_at (retries in backoff) are never scanned. The in-flight counts
    /// read `executions_in_flight`, at most a cap's worth of entries. The
    /// indexes are named (`INDEXED BY`): without statistics SQLite's
    /// planner read the next team from `executions_due` and sorted every
    /// pending row (24 ms a claim with 100,000 pending).
    /// Called on the single writer connection, so counting and claiming
    /// cannot interleave with another claim.
    static func fairPending(_ db: Database, now: Timestamp, fairness: FairClaimCursor) throws -> (String, WaitReason?)? {
        let nextTeam = try db.cachedStatement(
            sql: """
                SELECT team_id FROM executions INDEXED BY executions_fair WHERE status = 'pending' AND team_id > ?
                ORDER BY team_id, automation_id, run_at, id LIMIT 1
                """)
        let nextAutomation = try db.cachedStatement(
            sql: """
                SELECT automation_id FROM executions INDEXED BY executions_fair WHERE status = 'pending' AND team_id = ? AND automation_id > ?
                ORDER BY team_id, automation_id, run_at, id LIMIT 1
                """)
        let oldestDue = try db.cachedStatement(
            sql: """
                SELECT id, wait_reason FROM executions INDEXED BY executions_fair
                WHERE status = 'pending' AND team_id = ? AND automation_id = ? AND run_at <= ?
                ORDER BY team_id, automation_id, run_at, id LIMIT 1
                """)
        let teamInFlight = try db.cachedStatement(
            sql: """
                SELECT count(*) FROM (SELECT 1 FROM executions INDEXED BY executions_in_flight
                    WHERE status = 'processing' AND wait_reason IS NULL AND team_id = ? LIMIT ?)
                """)
        let automationInFlight = try db.cachedStatement(
            sql: """
                SELECT count(*) FROM (SELECT 1 FROM executions INDEXED BY executions_in_flight
                    WHERE status = 'processing' AND wait_reason IS NULL AND team_id = ? AND automation_id = ? LIMIT ?)
                """)
        // A column written with the definition: a claim never parses one
        // (and a corrupt definition cannot stall every claim).
        let automationCap = try db.cachedStatement(sql: "SELECT concurrency FROM automations WHERE id = ?")
        let teamCap = fairness.teamConcurrency
        var probes = 0

        /// The next key after `after` that `next` finds, wrapping once past
        /// the end; nil once the round is back past `start`.
        func step(_ after: String, start: String, wrapped: inout Bool, _ next: (String) throws -> String?) throws -> String? {
            probes += 1
            if let found = try next(after) {
                // Round done once past where it started (no cursor: once at the end).
                return wrapped && !start.isEmpty && found > start ? nil : found
            }
            guard !wrapped else { return nil }
            wrapped = true
            return try step("", start: start, wrapped: &wrapped, next)
        }

        let teamStart = fairness.lastTeam ?? ""
        var teamWrapped = teamStart.isEmpty
        var team = teamStart
        while probes < fairClaimProbeLimit,
            let nextID = try step(
                team, start: teamStart, wrapped: &teamWrapped,
                { after in
                    try nextTeam.firstRow([.text(after)]) { $0.text(0) } ?? nil
                })
        {
            team = nextID
            var teamFull: Bool?
            let automationStart = fairness.lastAutomation(team: team) ?? ""
            var automationWrapped = automationStart.isEmpty
            var automation = automationStart
            while probes < fairClaimProbeLimit,
                let nextID = try step(
                    automation, start: automationStart, wrapped: &automationWrapped,
                    { after in
                        try nextAutomation.firstRow([.text(team), .text(after)]) { $0.text(0) } ?? nil
                    })
            {
                automation = nextID
                probes += 1
                guard
                    let (id, waitReason) = try oldestDue.firstRow(
                        [.text(team), .text(automation), .int(now.millis)],
                        { row in
                            (row.text(0), row.text(1).flatMap(WaitReason.init(rawValue:)))
                        }), let id
                else { continue }
                if teamFull == nil {
                    teamFull = (try teamInFlight.firstRow([.text(team), .int(Int64(teamCap))]) { $0.int(0) } ?? 0) >= Int64(teamCap)
                }
                if teamFull == true { break }
                let cap =
                    try automationCap.firstRow([.text(automation)]) { $0.optionalInt(0) }
                    .flatMap { $0.map(Int.init) }
                    .flatMap { ConcurrencyLimit.range.contains($0) ? $0 : nil } ?? ConcurrencyLimit.automationDefault
                let inFlight = try automationInFlight.firstRow([.text(team), .text(automation), .int(Int64(cap))]) { $0.int(0) } ?? 0
                guard inFlight < Int64(cap) else { continue }
                fairness.served(team: team, automation: automation)
                return (id, waitReason)
            }
        }
        return nil
    }
}
