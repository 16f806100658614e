import ArgumentParser
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import VoxworksCore
import VoxworksServer

@main
struct Voxworks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voxworks",
        abstract: "Webhook-triggered automations: receive, store durably, run.",
        discussion: "`voxworks help env` lists every VOXWORKS_ environment variable with its default.",
        version: VoxworksVersion.current,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, TeamsCommand.self, WebhooksCommand.self, StatusCommand.self,
            BackupCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)

    /// Two things the parser cannot do before it runs a command: `help env`
    /// (a topic, not a command), and naming a mistyped command. With `serve`
    /// the default, `voxworks stauts` would otherwise be read as `serve`
    /// given an unexpected argument, and answered with serve's usage.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["help", "env"] {
            Console.write(ConfigurationVariable.helpText)
            return
        }
        let commands = (configuration.subcommands.map { $0._commandName }) + ["help"]
        if let first = arguments.first, let message = CommandNames.unknown(first, among: commands) {
            Console.writeError("Error: \(message)\nRun `voxworks --help` for the commands.")
            Glibc.exit(ExitCode.validationFailure.rawValue)
        }
        await main(nil)
    }
}
