import PostgresNIO
import Testing
@testable import VoxworksStore

/// How the store configures its PostgreSQL connection pools, from the URL.
@Suite struct PostgresConfigurationTests {
    @Test func theURLNamesServerUserDatabaseSchemaAndPoolSize() throws {
        let configuration = try PostgresStore.configuration(
            url: "postgres://app:secret@db.internal:6543/voxworks?sslmode=disable&search_path=tenant_a", maximumConnections: 7)
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "app")
        #expect(configuration.password == "secret")
        #expect(configuration.database == "voxworks")
        #expect(configuration.options.maximumConnections == 7)
        let parameters = Dictionary(configuration.options.additionalStartupParameters, uniquingKeysWith: { $1 })
        #expect(parameters["search_path"] == "tenant_a")
        #expect(parameters["synchronous_commit"] == "on")
        #expect(throws: PostgresStoreError.invalidURL) {
            try PostgresStore.configuration(url: "mysql://db/voxworks", maximumConnections: 1)
        }
    }

    /// The pool arms timers for every connection it gets back idle, and a
    /// cancelled timer's memory lives until its deadline on Linux: with the
    /// driver's defaults (keep-alive after 30 s, close after 60 s) a server
    /// under load grew by about 90 MB. Short idle lives and no keep-alive
    /// query keep that small (docs/performance-history.md, "PostgreSQL memory").
    @Test func idleConnectionsCloseAfterTenSecondsWithoutKeepAliveQueries() throws {
        let configuration = try PostgresStore.configuration(url: "postgres://app@127.0.0.1/voxworks", maximumConnections: 20)
        #expect(configuration.options.connectionIdleTimeout == .seconds(10))
        #expect(configuration.options.keepAliveBehavior == nil)
    }
}
