import ArgumentParser
import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksRuntime

import Foundation

/// Options every verb that opens the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "SQLite file (env VOXWORKS_DATABASE).")
    var database: String?

    @Option(name: .customLong("database-url"), help: "postgres://… to use PostgreSQL instead (env VOXWORKS_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("master-key-file"), help: "Key that seals signing secrets (env VOXWORKS_MASTER_KEY_FILE).")
    var masterKeyFile: String?

    func configuration() throws -> ServerConfiguration {
        var configuration = try ServerConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        if let database { configuration.databasePath = database }
        if let databaseURL { configuration.databaseURL = databaseURL }
        if let masterKeyFile { configuration.masterKeyFile = masterKeyFile }
        return configuration
    }

    /// The configured store, and what goes with it: the rate limiter (global
    /// state in PostgreSQL, in memory on SQLite) and the store's services.
    struct Opened {
        var store: any Store
        var limiter: any RateLimiter
        var services: [any Service]
        var sqlite: SQLiteStore?
        var describe: String
    }

    /// Opens the configured store, runs `body` with it, and closes it
    /// whether `body` returned or threw. On PostgreSQL the pools run as
    /// services around `body` (first up, last down) and are migrated
    /// before it starts. Only `serve` (and `migrate --create`) pass
    /// `creating`: the other verbs refuse a store that does not exist rather
    /// than create an empty one and report on it (a mistyped `--database`,
    /// or the wrong directory).
    func withStore<T: Sendable>(
        _ configuration: ServerConfiguration, creating: Bool = false, logger: Logger = Logger(label: "voxworks"),
        workSignal: WorkSignal = WorkSignal(), _ body: (Opened) async throws -> T
    ) async throws -> T {
        if !creating, configuration.databaseURL == nil, !FileManager.default.fileExists(atPath: configuration.databasePath) {
            throw MissingStore.sqlite(path: configuration.databasePath)
        }
        let key = try MasterKeyFile.loadOrCreate(path: configuration.resolvedMasterKeyFile)
        if let url = configuration.databaseURL {
            let store = try PostgresStore.open(url: url, secretBox: SecretBox(masterKey: key), logger: logger)
            store.fairness.teamConcurrency = configuration.teamConcurrency
            let host = URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? 5432)\($0.path)" } ?? "PostgreSQL"
            let opened = Opened(
                store: store, limiter: PostgresRateLimiter(store: store),
                services: [PostgresWorkListener(store: store, signal: workSignal)],
                sqlite: nil, describe: "PostgreSQL at \(host)")
            return try await ServiceScope.run(store.clientServices) {
                do {
                    try await store.migrate(requireSchema: !creating)
                } catch PostgresStoreError.noSchema {
                    throw MissingStore.postgres(host: host)
                }
                return try await body(opened)
            }
        }
        let store = try SQLiteStore(path: configuration.databasePath, secretBox: SecretBox(masterKey: key))
        store.fairness.teamConcurrency = configuration.teamConcurrency
        let opened = Opened(store: store, limiter: LocalRateLimiter(), services: [], sqlite: store, describe: configuration.databasePath)
        do {
            let result = try await body(opened)
            try store.close()
            return result
        } catch {
            try? store.close()
            throw error
        }
    }
}

/// A verb other than `serve` pointed at a store that is not there.
enum MissingStore: Error, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(host: String)

    var description: String {
        switch self {
        case .sqlite(let path):
            "no store at \(path). Run this where `voxworks serve` runs, or name the file with --database "
                + "(or VOXWORKS_DATABASE); only `voxworks serve` creates a store."
        case .postgres(let host):
            "the PostgreSQL database at \(host) has no Voxworks tables. Check --database-url (or VOXWORKS_DATABASE_URL); "
                + "`voxworks migrate --create` or `voxworks serve` creates them."
        }
    }
}
