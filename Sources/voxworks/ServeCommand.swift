import ArgumentParser
import Hummingbird
import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksRuntime

import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API and its background services.")

    @Option(name: .long, help: "Listen address (env VOXWORKS_HOST, default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Listen port (env VOXWORKS_PORT, default 8080).")
    var port: Int?

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        var configuration = try storeOptions.configuration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let json = configuration.logFormat == .json
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "voxworks")
        logger.logLevel = level

        let workSignal = WorkSignal()
        try await storeOptions.withStore(configuration, logger: logger, workSignal: workSignal) { opened in
            var dependencies = ServerDependencies(store: opened.store, limiter: opened.limiter, workSignal: workSignal)
            dependencies.storeServices = opened.services
            for finding in DefinitionAudit.findings(try await opened.store.storedDefinitions()) {
                logger.warning("stored definition needs attention", metadata: ["detail": "\(finding.line)"])
            }
            let report = try await FirstRun.prepare(store: opened.store)
            Console.write(FirstRun.banner(report, configuration: configuration))
            let listening = configuration.role.servesHTTP ? "Listening on \(configuration.resolvedPublicURL)" : "Running workers only"
            Console.write("\n\(listening) (store: \(opened.describe)). Ctrl-C stops.")

            if configuration.role.servesHTTP {
                let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
                // Hummingbird's service group handles SIGTERM and SIGINT: it stops
                // accepting, lets requests in flight finish (each 202 is committed
                // before it is sent), lets workers finish what they hold, then returns.
                try await app.runService()
            } else {
                let group = ServiceGroup(
                    services: buildEngineServices(configuration: configuration, dependencies: dependencies, logger: logger),
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                try await group.run()
            }
        }
    }
}
