import ArgumentParser
import VoxworksCore
import VoxworksStore

import Foundation

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List, create and revoke API keys.", subcommands: [List.self, Create.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List a team's API keys (never the keys themselves).")

        @Option(name: .long, help: "Team id (default: the first team created).")
        var team: String?

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let (chosen, keys) = try await storeOptions.withStore(try storeOptions.configuration()) { opened in
                let chosen = try await TeamChoice.choose(team, in: opened.store)
                return (chosen, try await opened.store.apiKeys(teamID: chosen.id))
            }
            Console.write("API keys of team \(chosen.name) (\(chosen.id.lowercased)):")
            for key in keys {
                let state = key.revokedAt.map { "revoked \($0.rfc3339)" } ?? "live"
                Console.write(
                    "\(key.id.lowercased)  \((key.prefix ?? "vx_").padding(toLength: 8, withPad: " ", startingAt: 0)) \(state)  created \(key.createdAt.rfc3339)  last used \(key.lastUsedAt?.rfc3339 ?? "never")  \(key.name)"
                )
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Issue a new API key (for example, for a lost one). It is printed once.")

        @Option(name: .long, help: "Team id (default: the first team created).")
        var team: String?

        @Option(name: [.long, .customLong("label")], help: "A name to recognise the key by.")
        var name = "created with voxworks keys create"

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let key = SecretMaterial.apiKey()
            let (chosen, record) = try await storeOptions.withStore(try storeOptions.configuration()) { opened in
                let chosen = try await TeamChoice.choose(team, in: opened.store)
                let record = try await opened.store.createAPIKey(
                    teamID: chosen.id, keyHash: SecretMaterial.hash(key), prefix: APIKey.prefix(of: key), name: name, now: .now())
                return (chosen, record)
            }
            Console.write(
                "New API key \(record.id.lowercased) for team \(chosen.name) (\(chosen.id.lowercased)). It is shown only this once:\n\n    \(key)"
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke an API key by its id (see `keys list`). Its console sessions end with it.",
            discussion: "The operator may revoke a team's last key here (unlike over the API): `keys create` issues a new one.")

        @Argument(help: "The key's id.")
        var id: String

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let keyID = UUID(uuidString: id) else {
                throw ValidationError("\(id) is not a key id (a UUID; see `voxworks keys list`).")
            }
            let outcome = try await storeOptions.withStore(try storeOptions.configuration()) { opened in
                var found: APIKey?
                for team in try await opened.store.teams() {
                    if let key = try await opened.store.apiKeys(teamID: team.id).first(where: { $0.id == keyID }) { found = key }
                }
                guard let key = found else { throw ValidationError("No API key with id \(id).") }
                return try await opened.store.revokeAPIKey(id: key.id, teamID: key.teamID, requestedBy: nil, now: .now())
            }
            switch outcome {
            case .revoked(let key): Console.write("Revoked API key \(key.id.lowercased) (\(key.name)).")
            case .alreadyRevoked(let key):
                Console.write("API key \(key.id.lowercased) was already revoked at \(key.revokedAt?.rfc3339 ?? "?").")
            case .notFound, .lastKey: throw ValidationError("No API key with id \(id).")
            }
        }
    }
}

/// The team a command acts on: the one named by `--team`, or the first created.
enum TeamChoice {
    static func choose(_ team: String?, in store: any APIKeyStore) async throws -> Team {
        let teams = try await store.teams()
        if let team {
            guard let id = UUID(uuidString: team), let match = teams.first(where: { $0.id == id }) else {
                throw ValidationError("No team with id \(team). Teams: \(teams.map(\.id.lowercased).joined(separator: ", "))")
            }
            return match
        }
        guard let first = teams.first else {
            throw ValidationError("The store has no team yet: start `voxworks serve` once, or run `voxworks teams create`.")
        }
        return first
    }
}
