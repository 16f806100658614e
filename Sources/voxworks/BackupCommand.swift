import ArgumentParser
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import VoxworksStore

/// A consistent online backup of the SQLite store, taken while the server
/// keeps serving, created with mode 0600. The master key that seals signing
/// secrets is copied beside it only when asked: a copy that travels with
/// the database would let whoever holds the backup open the secrets, which
/// is what keeping the key apart is for. Without its key a restored backup
/// cannot verify signed webhooks until their secrets are rotated.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Write a consistent copy of the SQLite store while the server runs.")

    @Argument(help: "The new backup file (must not exist); created with mode 0600.")
    var path: String

    @Flag(name: .long, help: "Also copy the master key to <PATH>.master.key (mode 0600). Store it apart from the backup.")
    var includeMasterKey = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        guard configuration.databaseURL == nil else {
            throw ValidationError(
                "voxworks backup copies the SQLite store; back up PostgreSQL with pg_dump or base backups (docs/operations.md).")
        }
        let started = Date()
        try await storeOptions.withStore(configuration) { opened in
            guard let store = opened.sqlite else { throw ValidationError("not a SQLite store") }
            try await store.backup(to: path)
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        guard includeMasterKey else {
            Console.write(
                "Backed up \(configuration.databasePath) to \(path) (\(bytes / 1024) KiB, \(seconds) s). "
                    + "The master key (\(configuration.resolvedMasterKeyFile)) was not copied: back it up apart, "
                    + "or pass --include-master-key.")
            return
        }
        let keyCopy = path + ".master.key"
        try? FileManager.default.removeItem(atPath: keyCopy)
        guard let key = FileManager.default.contents(atPath: configuration.resolvedMasterKeyFile) else {
            throw ValidationError("cannot read the master key at \(configuration.resolvedMasterKeyFile)")
        }
        // Created 0600 from the start: never a moment readable by others.
        let fd = open(keyCopy, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(keyCopy)") }
        let written = key.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == key.count else { throw ValidationError("cannot write \(keyCopy)") }
        Console.write(
            "Backed up \(configuration.databasePath) to \(path) (\(bytes / 1024) KiB, \(seconds) s) and its master key to \(keyCopy).")
        Console.writeError(
            "Warning: \(keyCopy) opens every signing secret in \(path). Keep it apart from the backup (another place, other access).")
    }
}
