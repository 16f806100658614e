import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksRuntime
import VoxworksIngest

/// The parts a running node is made of, built once by the composition root.
/// Tests replace the clock and the outbound HTTP client.
public struct ServerDependencies: Sendable {
    public var store: any Store
    public var limiter: any RateLimiter
    public var clock: @Sendable () -> Timestamp
    public var outbound: (any OutboundHTTPClient)?
    public var workSignal: WorkSignal
    /// Services the store needs beside the workers (PostgreSQL's LISTEN for wake-ups).
    public var storeServices: [any Service] = []
    /// This node's per-destination circuits and in-flight caps, shared by the
    /// workers, `/metrics` and the console (nil: made from the configuration
    /// by `buildApplication` or `buildEngineServices`).
    public var circuits: DestinationCircuits?
    /// Wakes this node's `BulkReplayRunner` when a bulk replay is made here.
    public var bulkReplayWake = WorkSignal()
    /// What `/metrics` shows; every part of the node writes to it through `metrics`.
    public var metricsRegistry = PrometheusCollectorRegistry()

    public var metrics: ServiceMetrics {
        var factory = PrometheusMetricsFactory(registry: metricsRegistry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        return ServiceMetrics(factory: factory)
    }

    public init(
        store: any Store, limiter: any RateLimiter = LocalRateLimiter(), clock: @escaping @Sendable () -> Timestamp = { .now() },
        outbound: (any OutboundHTTPClient)? = nil, workSignal: WorkSignal = WorkSignal()
    ) {
        self.workSignal = workSignal
        self.store = store
        self.limiter = limiter
        self.clock = clock
        self.outbound = outbound
    }
}

extension ServerDependencies {
    /// One instance for the whole node, made once from the configuration.
    mutating func resolveCircuits(_ configuration: ServerConfiguration) {
        if circuits == nil { circuits = DestinationCircuits(settings: configuration.engine.destinationSettings, clock: clock) }
    }
}

/// The composition root: routes, middleware and background services.
public func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger
) -> some ApplicationProtocol {
    var dependencies = dependencies
    dependencies.resolveCircuits(configuration)
    let router = buildRouter(configuration: configuration, dependencies: dependencies)
    var app = Application(
        router: router,
        // An idle connection (one that never finishes its headers, or sits after
        // a response) is closed; bodies have their own deadline, which holds
        // even for a body the route never read (`ConnectionHygieneHandler`).
        server: .guardedHTTP1(
            configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds))),
            limits: ConnectionLimits(maxConnections: configuration.maxConnections, maxPerAddress: configuration.maxConnectionsPerAddress),
            hygiene: .init(
                drainTime: .seconds(Int64(min(configuration.bodyTimeoutSeconds, configuration.idleTimeoutSeconds))),
                drainBytes: configuration.maxBodyBytes)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        logger: logger)
    app.addServices(
        StoreJanitor(
            store: dependencies.store, retentionSeconds: configuration.retentionDays.map { Double($0) * 86_400 },
            requestLogRetentionSeconds: configuration.requestLog.retentionSeconds, logger: logger))
    app.addServices(
        BulkReplayRunner(
            store: dependencies.store, workSignal: dependencies.workSignal, wake: dependencies.bulkReplayWake, clock: dependencies.clock,
            logger: logger))
    if configuration.role.runsWorkers {
        app.addServices(buildEngineServices(configuration: configuration, dependencies: dependencies, logger: logger))
    }
    return app
}

/// The workers and the call simulator: what `VOXWORKS_ROLE=worker` runs alone.
public func buildEngineServices(configuration: ServerConfiguration, dependencies: ServerDependencies, logger: Logger) -> [any Service] {
    var dependencies = dependencies
    dependencies.resolveCircuits(configuration)
    var engine = configuration.engine
    // This node's own listener is never an `http_request` destination unless named with its port.
    engine.ownListenAddress = OutboundPolicy.ListenAddress(host: configuration.host, port: configuration.port)
    let completion = CallCompletion(
        store: dependencies.store, workSignal: dependencies.workSignal, clock: dependencies.clock, logger: logger)
    let simulator = SimulatedCallProvider(
        store: dependencies.store, completion: completion, seconds: engine.callSimulatorSeconds,
        status: engine.callSimulatorStatus, clock: dependencies.clock, logger: logger)
    let runners = ExecutionRunner.standardRunners(
        store: dependencies.store,
        client: dependencies.outbound
            ?? GuardedHTTPClient(policy: OutboundPolicy(allow: engine.outboundAllow, own: engine.ownListenAddress)),
        provider: simulator, configuration: engine, clock: dependencies.clock, circuits: dependencies.circuits)
    let metrics = dependencies.metrics
    let runner = ExecutionRunner(store: dependencies.store, runners: runners, clock: dependencies.clock, logger: logger, metrics: metrics)
    let pool = ExecutionWorkerPool(
        store: dependencies.store, runner: runner, signal: dependencies.workSignal, configuration: engine,
        clock: dependencies.clock, logger: logger, metrics: metrics)
    return [pool, simulator] + dependencies.storeServices
}

public func buildRouter(configuration: ServerConfiguration, dependencies: ServerDependencies) -> Router<VoxworksRequestContext> {
    let router = Router(context: VoxworksRequestContext.self)
    let metrics = dependencies.metrics
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    let allowedMethods = AllowedMethods()
    router.add(middleware: ContractMiddleware(allowedMethods: allowedMethods))
    let writer = IngestWriter(committer: dependencies.store, workSignal: dependencies.workSignal, metrics: metrics)
    // One ingestion for the endpoint and the console's Test Webhook.
    let ingest = IngestService(
        routes: dependencies.store, writer: writer, limiter: dependencies.limiter,
        settings: IngestService.Settings(
            teamRateLimit: configuration.teamRateLimit, maxBodyBytes: configuration.maxBodyBytes,
            backlogLimit: configuration.backlogLimit, idempotencyTTL: configuration.idempotencyTTLSeconds),
        credentials: dependencies.store)
    HooksController(
        ingest: ingest, configuration: configuration, clock: dependencies.clock,
        notFound: AddressThrottle(limit: configuration.notFoundLimit, exempt: configuration.notFoundExempt),
        requestLog: RequestLogRecorder(
            store: dependencies.store, settings: configuration.requestLog, metrics: metrics, clock: dependencies.clock,
            logger: Logger(label: "voxworks.request-log"))
    ).addRoutes(to: router)
    // One allowance per address for failed API keys and failed console sign-ins together.
    let authFailures = AddressThrottle(limit: configuration.authFailureLimit, exempt: configuration.authFailureExempt)
    let acceptedKeys = AcceptedKeys()
    HealthController(store: dependencies.store).addRoutes(to: router)
    RootController().addRoutes(to: router)
    MetricsController(
        registry: dependencies.metricsRegistry, store: dependencies.store, circuits: dependencies.circuits,
        token: configuration.metricsToken,
        clock: dependencies.clock
    )
    .addRoutes(to: router)
    let management = router.group("/api/v1").add(
        middleware: APIKeyMiddleware(
            store: dependencies.store, limiter: dependencies.limiter, limit: configuration.apiRateLimit, clock: dependencies.clock,
            failures: authFailures, accepted: acceptedKeys)
    ).add(middleware: StrictQueryMiddleware())
    AutomationsController(store: dependencies.store, configuration: configuration, clock: dependencies.clock)
        .addRoutes(to: management)
    let bulkReplayWake = dependencies.bulkReplayWake
    BulkReplayController(store: dependencies.store, clock: dependencies.clock, wake: { bulkReplayWake.signal() })
        .addRoutes(to: management)
    APIKeysController(store: dependencies.store, clock: dependencies.clock).addRoutes(to: management)
    ExecutionsController(
        store: dependencies.store, workSignal: dependencies.workSignal, clock: dependencies.clock, requestLog: configuration.requestLog
    )
    .addRoutes(to: management)
    RequestsController(store: dependencies.store, settings: configuration.requestLog, clock: dependencies.clock)
        .addRoutes(to: management)
    PublicAPIController(store: dependencies.store, defaultRegion: configuration.engine.defaultRegion, clock: dependencies.clock)
        .addRoutes(to: management)
    ConsoleController(
        store: dependencies.store, configuration: configuration, workSignal: dependencies.workSignal, clock: dependencies.clock,
        ingest: ingest, signInFailures: authFailures, acceptedKeys: acceptedKeys, circuits: dependencies.circuits
    ).addRoutes(to: router)
    allowedMethods.load(router.routes)
    return router
}
