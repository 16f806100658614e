import Hummingbird
import Logging
import ServiceLifecycle
import VoxworksCore
import VoxworksEngine
import VoxworksStore

/// The parts a running server is made of, built once by the composition root.
public struct ServerDependencies: Sendable {
    public var store: any Store
    public var limiter: any RateLimiter
    public var clock: @Sendable () -> Timestamp

    public init(store: any Store, limiter: any RateLimiter = LocalRateLimiter(), clock: @escaping @Sendable () -> Timestamp = { .now() }) {
        self.store = store
        self.limiter = limiter
        self.clock = clock
    }
}

/// The composition root: routes, middleware and background services.
public func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, dependencies: dependencies)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        logger: logger)
    app.addServices(IdempotencyJanitor(store: dependencies.store, logger: logger))
    return app
}

public func buildRouter(configuration: ServerConfiguration, dependencies: ServerDependencies) -> Router<VoxworksRequestContext> {
    let router = Router(context: VoxworksRequestContext.self)
    router.add(middleware: ContractMiddleware())
    let writer = IngestWriter(committer: dependencies.store)
    HooksController(
        store: dependencies.store, writer: writer, limiter: dependencies.limiter, ids: UUIDv7Generator(),
        configuration: configuration, clock: dependencies.clock
    ).addRoutes(to: router)
    HealthController(store: dependencies.store).addRoutes(to: router)
    let management = router.group("/api/v1").add(middleware: APIKeyMiddleware(store: dependencies.store))
    AutomationsController(store: dependencies.store, configuration: configuration, clock: dependencies.clock)
        .addRoutes(to: management)
    ExecutionsController(store: dependencies.store).addRoutes(to: management)
    return router
}
