import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// A fresh store (a SQLite file in a temporary directory, or a PostgreSQL
/// schema of its own), with one team, one API key and the server built over
/// it, as `voxworks serve` builds it.
struct TestHarness: Sendable {
    /// The store, its first team and the clock.
    let fixture: StoreFixture
    let apiKey: String
    let configuration: ServerConfiguration

    var kind: StoreKind { fixture.kind }
    var directory: URL { fixture.directory }
    var store: any Store { fixture.store }
    var secretBox: SecretBox { fixture.secretBox }
    /// The schema's URL on PostgreSQL, for reopening it.
    var postgresURL: String? { fixture.postgresURL }
    var teamID: UUID { fixture.teamID }
    var clock: TestClock { fixture.clock }
    var databasePath: String { fixture.databasePath }

    /// The SQLite store, for what only it has (backups, its file).
    var sqlite: SQLiteStore? { store as? SQLiteStore }

    static func make(
        _ kind: StoreKind = .sqlite, directory: URL? = nil, postgresURL: String? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestHarness {
        try await make(fixture: try await StoreFixture.make(kind, directory: directory, postgresURL: postgresURL), configure: configure)
    }

    static func make(fixture: StoreFixture, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestHarness {
        var configuration = ServerConfiguration()
        configuration.databasePath = fixture.databasePath
        configuration.publicURL = "https://hooks.example.test"
        // Ingestion tests look at executions as they arrive; engine tests turn workers on.
        configuration.role = .api
        configure(&configuration)
        let key = SecretMaterial.apiKey()
        try await fixture.store.createAPIKey(teamID: fixture.teamID, keyHash: SecretMaterial.hash(key), label: "test", now: .now())
        return TestHarness(fixture: fixture, apiKey: key, configuration: configuration)
    }

    /// Closes the store and opens the same one again: what a restarted node sees.
    func reopened() async throws -> TestHarness {
        try await TestHarness.make(fixture: try await fixture.reopened()) { $0 = configuration }
    }

    func application(logger: Logger = Logger(label: "test"), circuits: DestinationCircuits? = nil) -> some ApplicationProtocol {
        let clock = self.clock
        var dependencies = ServerDependencies(store: store, clock: { clock.now })
        dependencies.circuits = circuits
        if let postgres = store as? PostgresStore {
            // The shared store's rate limiter and wake-ups, as `voxworks serve` wires them.
            dependencies.limiter = PostgresRateLimiter(store: postgres)
            dependencies.storeServices = [PostgresWorkListener(store: postgres, signal: dependencies.workSignal)]
        }
        return buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
    }

    /// Runs `body` against the router in process.
    @discardableResult
    func withRouter<T: Sendable>(circuits: DestinationCircuits? = nil, _ body: @Sendable (any TestClientProtocol) async throws -> T)
        async throws -> T
    {
        try await application(circuits: circuits).test(.router, body)
    }

    /// Creates an automation straight in the store; returns it and its raw signing key.
    func automation(
        name: String = "Test", teamID: UUID? = nil, signing: Bool = false, rateLimit: RateLimit = .webhookDefault,
        enabled: Bool = true
    ) async throws -> (automation: Automation, key: [UInt8]?) {
        let key = signing ? SecretMaterial.randomBytes(32) : nil
        let automation = try await store.createAutomation(
            NewAutomation(
                id: UUID(), teamID: teamID ?? self.teamID, name: name, enabled: enabled,
                definition: AutomationDefinition.emptyJSON, webhookID: UUID(), token: SecretMaterial.webhookToken(),
                rateLimit: rateLimit, signingKey: key),
            now: .now())
        return (automation, key)
    }

    /// A second team with its own key, for isolation tests.
    func otherTeam() async throws -> (teamID: UUID, apiKey: String) {
        let team = try await store.createTeam(name: "Team B", now: .now())
        let key = SecretMaterial.apiKey()
        try await store.createAPIKey(teamID: team.id, keyHash: SecretMaterial.hash(key), label: "test", now: .now())
        return (team.id, key)
    }

    /// Every execution of the team in `store`, through the paged listing.
    static func allExecutionIDs(in store: any Store, teamID: UUID) async throws -> Set<UUID> {
        var found = Set<UUID>()
        var cursor: UUID?
        repeat {
            let page = try await store.executions(teamID: teamID, query: ExecutionQuery(before: cursor, limit: 100))
            found.formUnion(page.map(\.id))
            cursor = page.count == 100 ? page.last?.id : nil
        } while cursor != nil
        return found
    }

    func executionCount() async throws -> Int {
        try await store.executions(teamID: teamID, query: ExecutionQuery(limit: 100)).count
    }
}

// MARK: Request helpers

func hookPath(_ token: String) -> String { "/api/v1/hooks/\(token)" }

func jsonHeaders(_ extra: [String: String] = [:]) -> HTTPFields {
    var fields: HTTPFields = [.contentType: "application/json"]
    for (name, value) in extra {
        if let field = HTTPField.Name(name) { fields[field] = value }
    }
    return fields
}

func bearer(_ key: String, _ extra: [String: String] = [:]) -> HTTPFields {
    var fields = jsonHeaders(extra)
    fields[.authorization] = "Bearer \(key)"
    return fields
}

extension TestResponse {
    /// The body parsed with the project's own parser (strict; fails the test if not JSON).
    var json: JSONValue {
        get throws { try JSONParser().parse(Array(body.readableBytesView)) }
    }

    var text: String { String(buffer: body) }

    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}

/// Checks the contract's error shape and returns the message.
@discardableResult
func expectError(
    _ response: TestResponse, _ status: HTTPResponse.Status, message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
    let json = try response.json
    #expect(json["success"] == .bool(false), sourceLocation: sourceLocation)
    let text = json["message"]?.stringValue ?? ""
    #expect(!text.isEmpty, sourceLocation: sourceLocation)
    if let message { #expect(text == message, sourceLocation: sourceLocation) }
    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    #expect(response.header("X-Request-Id") != nil, sourceLocation: sourceLocation)
    return text
}

/// Checks a 202 and returns the execution id.
func expectAccepted(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> UUID {
    #expect(response.status == .accepted, "body: \(response.text)", sourceLocation: sourceLocation)
    let json = try response.json
    #expect(json["success"] == .bool(true), sourceLocation: sourceLocation)
    let id = try #require(json["execution_id"]?.stringValue.flatMap(UUID.init(uuidString:)), sourceLocation: sourceLocation)
    #expect(id.version == 7, sourceLocation: sourceLocation)
    return id
}

extension ByteBuffer {
    init(json text: String) { self.init(string: text) }
}
