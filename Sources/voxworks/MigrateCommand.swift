import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        let store = try storeOptions.openStore(configuration)
        try store.close()
        print("Migrations applied to \(configuration.databasePath).")
    }
}
