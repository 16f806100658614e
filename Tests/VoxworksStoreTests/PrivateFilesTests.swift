import Foundation
import Testing
import VoxworksCore
import VoxworksStore

/// The SQLite file holds every payload, contact and sealed secret (issue:
/// it was created 0644, readable by every local user).
@Suite struct PrivateFilesTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-modes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func theDatabaseItsWALAndBackupsAreOwnerOnlyWhateverTheUmask() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let base = try directory()
        let path = base.appendingPathComponent("data/voxworks.sqlite").path
        let store = try SQLiteStore(path: path, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)))
        _ = try await store.createTeam(name: "T", now: .now())
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        #expect(try mode(path + "-shm") == 0o600)
        #expect(try mode(base.appendingPathComponent("data").path) == 0o700)
        let backup = base.appendingPathComponent("backup.sqlite").path
        try await store.backup(to: backup)
        #expect(try mode(backup) == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)).count > 0)
        // A second backup to the same name is refused, and leaves the first intact.
        await #expect(throws: BackupError.self) { try await store.backup(to: backup) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)).count > 0)
        try store.close()
    }

    /// `voxworks serve` loads (and on first start creates) the master key
    /// before it opens the store, so the key's directory is the data
    /// directory: it must be made owner-only too (it was made 0755, so any
    /// local user could list the data directory and watch its files).
    @Test func theDataDirectoryIsOwnerOnlyWhenTheMasterKeyMakesItFirst() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let base = try directory()
        let data = base.appendingPathComponent("voxworks-data/nested")
        let key = try MasterKeyFile.loadOrCreate(path: data.appendingPathComponent("master.key").path)
        #expect(try mode(data.path) == 0o700)
        #expect(try mode(base.appendingPathComponent("voxworks-data").path) == 0o700)
        #expect(try mode(data.appendingPathComponent("master.key").path) == 0o600)
        let path = data.appendingPathComponent("voxworks.sqlite").path
        let store = try SQLiteStore(path: path, secretBox: SecretBox(masterKey: key))
        _ = try await store.createTeam(name: "T", now: .now())
        #expect(try mode(data.path) == 0o700)
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        try store.close()
    }

    @Test func aStoreMadeBeforeTheRuleIsTightenedOnOpen() async throws {
        let base = try directory()
        let path = base.appendingPathComponent("old.sqlite").path
        let first = try SQLiteStore(path: path, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)))
        _ = try await first.createTeam(name: "T", now: .now())
        try first.close()
        chmod(path, 0o644)
        let reopened = try SQLiteStore(path: path, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)))
        #expect(try mode(path) == 0o600)
        #expect(try await reopened.teams().count == 1)
        try reopened.close()
    }
}
