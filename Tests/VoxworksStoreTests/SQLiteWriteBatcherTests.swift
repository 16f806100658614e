import Foundation
import GRDB
import Testing
@testable import VoxworksStore
import VoxworksCore

/// The engine's group commit on SQLite: concurrent writes share
/// transactions, each answered after its commit, and one failing write
/// does not undo the others in its batch.
@Suite struct SQLiteWriteBatcherTests {
    struct Refused: Error {}

    @Test func concurrentWritesCommitTogetherAndAFailureStaysItsOwn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-batch-\(UUID().uuidString)")
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("v.sqlite").path, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)))
        let team = try await store.createTeam(name: "T", now: .now())
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<100 {
                group.addTask {
                    do {
                        try await store.engineWrites.write { db in
                            try db.execute(
                                sql: "INSERT INTO contacts (id, team_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
                                arguments: [UUID().lowercased, team.id.lowercased, "+6140000\(1000 + index)"])
                            if index % 10 == 0 { throw Refused() }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var succeeded = 0
            for await ok in group where ok { succeeded += 1 }
            return succeeded
        }
        #expect(results == 90)
        // The refused writes were rolled back to their savepoints; the others are on disk.
        let stored = try await store.contacts(teamID: team.id, query: ContactQuery(limit: 100))
        #expect(stored.count == 90)
        #expect(!stored.contains { $0.phoneNumber == "+61400001000" })
    }
}
