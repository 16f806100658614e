import ArgumentParser
import Foundation
import VoxworksStore

/// A consistent online backup of the SQLite store, taken while the server
/// keeps serving. The master key that seals signing secrets is copied
/// beside it: a backup without its key cannot verify signed webhooks.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Write a consistent copy of the SQLite store (and its master key) while the server runs.")

    @Argument(help: "The new backup file (must not exist). The key is written to <PATH>.master.key.")
    var path: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        guard configuration.databaseURL == nil else {
            throw ValidationError("voxworks backup copies the SQLite store; back up PostgreSQL with pg_dump or base backups (docs/operations.md).")
        }
        let opened = try await storeOptions.open(configuration)
        guard let store = opened.sqlite else { throw ValidationError("not a SQLite store") }
        let started = Date()
        try await store.backup(to: path)
        await opened.close()
        let keyCopy = path + ".master.key"
        try? FileManager.default.removeItem(atPath: keyCopy)
        try FileManager.default.copyItem(atPath: configuration.resolvedMasterKeyFile, toPath: keyCopy)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyCopy)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        Console.write("Backed up \(configuration.databasePath) to \(path) (\(bytes / 1024) KiB, \(String(format: "%.2f", Date().timeIntervalSince(started))) s) and its master key to \(keyCopy).")
    }
}
