import Foundation
import VoxworksCore
import VoxworksStore

/// A fresh store (a SQLite file in a temporary directory, or a PostgreSQL
/// schema of its own) with one team and the test's clock: what engine
/// tests need, and what the server tests' harness builds on.
public struct StoreFixture: Sendable {
    public let kind: StoreKind
    public let directory: URL
    public let store: any Store
    public let secretBox: SecretBox
    /// The schema's URL on PostgreSQL, for reopening it.
    public let postgresURL: String?
    public let teamID: UUID
    public let clock: TestClock

    /// The SQLite file (also on PostgreSQL, where it is unused).
    public var databasePath: String { directory.appendingPathComponent("voxworks.sqlite").path }

    /// Opens the store of `kind` in `directory` (new when nil) or at
    /// `postgresURL` (a new schema when nil), with its first team.
    public static func make(_ kind: StoreKind = .sqlite, directory: URL? = nil, postgresURL: String? = nil, clock: TestClock = TestClock())
        async throws -> StoreFixture
    {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secretBox = try SecretBox(masterKey: try MasterKeyFile.loadOrCreate(path: directory.appendingPathComponent("master.key").path))
        let (store, url) = try await kind.open(directory: directory, secretBox: secretBox, postgresURL: postgresURL)
        let team: Team
        if let existing = try await store.teams().first {
            team = existing
        } else {
            team = try await store.createTeam(name: "Team A", now: .now())
        }
        return StoreFixture(
            kind: kind, directory: directory, store: store, secretBox: secretBox, postgresURL: url, teamID: team.id, clock: clock)
    }

    /// Closes the store and opens the same one again: what a restarted node sees.
    public func reopened() async throws -> StoreFixture {
        await store.shutdown()
        return try await StoreFixture.make(kind, directory: directory, postgresURL: postgresURL)
    }
}
