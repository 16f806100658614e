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
        let automations = try await storeOptions.withStore(configuration) { try await $0.store.allAutomations() }
        Console.write(FirstRun.webhookList(automations, configuration: configuration))
    }
}
