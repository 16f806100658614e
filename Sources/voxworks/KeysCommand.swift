import ArgumentParser
import VoxworksCore
import VoxworksStore

import Foundation

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Issue a new API key (for example, for a lost one). It is printed once.")

        @Option(name: .long, help: "Team id (default: the only team, or the first one created).")
        var team: String?

        @Option(name: .long, help: "A label to recognise the key by.")
        var label = "created with voxworks keys create"

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let configuration = try storeOptions.configuration()
            let (chosen, key) = try await storeOptions.withStore(configuration) { opened in
                try await Self.issue(store: opened.store, team: team, label: label)
            }
            Console.write("New API key for team \(chosen.name) (\(chosen.id.lowercased)). It is shown only this once:\n\n    \(key)")
        }

        static func issue(store: any Store, team: String?, label: String) async throws -> (Team, String) {
            let teams = try await store.teams()
            let chosen: Team
            if let team {
                guard let id = UUID(uuidString: team), let match = teams.first(where: { $0.id == id }) else {
                    throw ValidationError("No team with id \(team). Teams: \(teams.map(\.id.lowercased).joined(separator: ", "))")
                }
                chosen = match
            } else {
                guard let first = teams.first else {
                    throw ValidationError("The store has no team yet: start `voxworks serve` once to create one.")
                }
                chosen = first
            }
            let key = SecretMaterial.apiKey()
            try await store.createAPIKey(teamID: chosen.id, keyHash: SecretMaterial.hash(key), label: label, now: .now())
            return (chosen, key)
        }
    }
}
