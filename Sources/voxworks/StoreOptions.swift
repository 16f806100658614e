import ArgumentParser
import Logging
import VoxworksCore
import VoxworksServer
import VoxworksStore

import Foundation

/// Options every verb that opens the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "SQLite file (env VOXWORKS_DATABASE).")
    var database: String?

    @Option(name: .customLong("master-key-file"), help: "Key that seals signing secrets (env VOXWORKS_MASTER_KEY_FILE).")
    var masterKeyFile: String?

    func configuration() throws -> ServerConfiguration {
        var configuration = try ServerConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        if let database { configuration.databasePath = database }
        if let masterKeyFile { configuration.masterKeyFile = masterKeyFile }
        return configuration
    }

    func openStore(_ configuration: ServerConfiguration) throws -> SQLiteStore {
        let key = try MasterKeyFile.loadOrCreate(path: configuration.resolvedMasterKeyFile)
        return try SQLiteStore(path: configuration.databasePath, secretBox: SecretBox(masterKey: key))
    }
}
