import ArgumentParser
import VoxworksServer

/// Every automation's webhook URL, on request. The server prints them only
/// on its first start: a URL holds the token that lets anyone post to it,
/// and routine start-up output ends up in logs.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "List every automation's webhook URL (each holds its secret token).")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let configuration = try storeOptions.configuration()
        let opened = try await storeOptions.open(configuration)
        let automations = try await opened.store.allAutomations()
        await opened.close()
        Console.write(FirstRun.webhookList(automations, configuration: configuration))
    }
}
