import VoxworksCore

import Foundation

/// Executions as a team reads them (the API's and the console's views);
/// what the engine claims and writes is `ExecutionStore`.
public protocol ExecutionLookup: Sendable {
    func execution(id: UUID, teamID: UUID) async throws -> Execution?
    /// A page of executions, each with an empty `body`: a listing shows no
    /// payload, and must not load up to 100 of them (`execution(id:teamID:)`
    /// has the payload).
    func executions(teamID: UUID, query: ExecutionQuery) async throws -> [Execution]
}
