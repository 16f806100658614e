import ArgumentParser

@main
struct Voxworks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voxworks",
        abstract: "Webhook-triggered automations: receive, store durably, run.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, TeamsCommand.self, WebhooksCommand.self, StatusCommand.self,
            BackupCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)
}
