import ArgumentParser
import VoxworksCore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @Flag(name: .long, help: "Create the store when it does not exist (a new SQLite file, or the tables in an empty PostgreSQL database).")
    var create = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        // Opening applies pending migrations (on PostgreSQL under an advisory lock).
        let (findings, describe) = try await storeOptions.withStore(configuration, creating: create) { opened in
            (DefinitionAudit.findings(try await opened.store.storedDefinitions()), opened.describe)
        }
        Console.write("Migrations applied to \(describe).")
        // Definitions saved before a rule became stricter keep running; they are named here, not broken.
        for finding in findings { Console.write(finding.line) }
        if !findings.isEmpty {
            Console.write("\(findings.count) stored definition(s) need attention (docs/automations.md, \"Strict definitions\").")
        }
    }
}
