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

    func validate() throws {
        // Checked here, not by the listener: an out-of-range port once
        // printed "Listening on …:99999" while the socket took 34463.
        if let port, let range = ConfigurationVariable.port.range, !range.contains(port) {
            throw ValidationError("--port \(port) is not valid: expected \(ConfigurationVariable.port.expected)")
        }
    }

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
        try await storeOptions.withStore(configuration, creating: true, logger: logger, workSignal: workSignal) { opened in
            var dependencies = ServerDependencies(store: opened.store, limiter: opened.limiter, workSignal: workSignal)
            dependencies.storeServices = opened.services
            for finding in DefinitionAudit.findings(try await opened.store.storedDefinitions()) {
                logger.warning("stored definition needs attention", metadata: ["detail": "\(finding.line)"])
            }
            let report = try await FirstRun.prepare(store: opened.store)
            // The first key goes to the log stream only when a person is
            // watching it: output that is not a terminal, and JSON logs, are
            // kept and shipped, so the key goes to a file of mode 0600 instead.
            var keyFile: String?
            if let key = report.apiKey, json || isatty(STDOUT_FILENO) == 0 {
                let path = FirstAPIKeyFile.path(for: configuration)
                do {
                    try FirstAPIKeyFile.write(key, to: path)
                    keyFile = path
                } catch {
                    logger.error("cannot write the first API key file", metadata: ["error": .string("\(error)")])
                }
            }
            if json {
                FirstRun.log(report, configuration: configuration, keyFile: keyFile, logger: logger)
                let event: Logger.Message = configuration.role.servesHTTP ? "listening" : "running workers only"
                logger.info(
                    event,
                    metadata: ["url": .string(configuration.resolvedPublicURL), "store": .string(opened.describe)])
            } else {
                // Without a file (a terminal, or a file that could not be
                // written) the key is shown: it exists nowhere else.
                Console.write(FirstRun.banner(report, configuration: configuration, keyFile: keyFile))
                let listening = configuration.role.servesHTTP ? "Listening on \(configuration.resolvedPublicURL)" : "Running workers only"
                Console.write("\n\(listening) (store: \(opened.describe)). Ctrl-C stops.")
            }

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
