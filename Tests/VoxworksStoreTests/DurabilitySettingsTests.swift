import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing
@testable import VoxworksStore
import VoxworksCore
import VoxworksTestSupport

/// A `202` is answered after the commit holding the webhook: that commit
/// must reach the disk, not only the operating system's cache. A process
/// crash cannot tell the difference (the crash tests pass either way), a
/// power loss can, so the settings themselves are checked here.
@Suite struct DurabilitySettingsTests {
    /// GRDB's DatabasePool turns its writer to `synchronous=NORMAL` after
    /// `prepareDatabase` runs; NORMAL does not fsync the WAL at commit.
    @Test func theSQLiteWriterFsyncsEveryCommit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-durable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v.sqlite").path
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        for _ in 0..<2 {  // a new file, then the same file opened again
            let store = try SQLiteStore(path: path, secretBox: box)
            // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
            let writer = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(writer == 2)
            // The engine's and the ingest's group commits go through the same writer.
            let engine = try await store.engineWrites.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
            #expect(engine == 2)
            let journal = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(journal == "wal")
            try store.close()
        }
    }

    /// `synchronous_commit=on` for the store's sessions; only the rate
    /// limiter's own pool commits asynchronously (its state may lose a few
    /// milliseconds in a crash, never a webhook).
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func postgresSessionsCommitSynchronously() async throws {
        let url = try await PostgresTestDatabase.newSchemaURL()
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let store = try await PostgresStore.connect(url: url, secretBox: box, logger: Logger(label: "test"), maximumConnections: 2)
        defer { store.close() }
        func setting(_ client: PostgresClient) async throws -> String? {
            for try await (value) in try await client.query("SHOW synchronous_commit", logger: Logger(label: "test")).decode(String.self) {
                return value
            }
            return nil
        }
        #expect(try await setting(store.client) == "on")
        #expect(try await setting(store.limiterClient) == "off")
    }
}
