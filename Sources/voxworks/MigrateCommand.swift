import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        // Opening applies pending migrations (on PostgreSQL under an advisory lock).
        let opened = try await storeOptions.open(configuration)
        await opened.close()
        Console.write("Migrations applied to \(opened.describe).")
    }
}
