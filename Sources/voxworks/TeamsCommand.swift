import ArgumentParser
import VoxworksCore
import VoxworksStore

import Foundation

/// Teams: each has its own automations, executions and API keys, and sees
/// no other team's. Only the first start makes one; these make more.
struct TeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams", abstract: "List and create teams.", subcommands: [List.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the teams.")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let lines = try await storeOptions.withStore(try storeOptions.configuration()) { opened in
                var lines: [String] = []
                for team in try await opened.store.teams() {
                    let live = try await opened.store.apiKeys(teamID: team.id).filter { $0.revokedAt == nil }.count
                    lines.append("\(team.id.lowercased)  created \(team.createdAt.rfc3339)  \(live) live API key(s)  \(team.name)")
                }
                return lines
            }
            Console.write(
                lines.isEmpty ? "No teams yet: start `voxworks serve` once, or run `voxworks teams create`." : lines.joined(separator: "\n")
            )
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a team and its first API key, which is printed once.")

        @Option(name: .long, help: "The team's name.")
        var name: String

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100,
                !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw ValidationError("--name must be 1 to 100 characters, without control characters.") }
        }

        func run() async throws {
            let key = SecretMaterial.apiKey()
            let team = try await storeOptions.withStore(try storeOptions.configuration()) { opened in
                let now = Timestamp.now()
                let team = try await opened.store.createTeam(name: name.trimmingCharacters(in: .whitespaces), now: now)
                _ = try await opened.store.createAPIKey(
                    teamID: team.id, keyHash: SecretMaterial.hash(key), prefix: APIKey.prefix(of: key), name: "first key", now: now)
                return team
            }
            Console.write(
                "Created team \(team.name) (\(team.id.lowercased)). Its first API key is shown only this once:\n\n    \(key)")
        }
    }
}
