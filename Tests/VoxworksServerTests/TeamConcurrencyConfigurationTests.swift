import Testing
import VoxworksCore
@testable import VoxworksServer

/// `VOXWORKS_TEAM_CONCURRENCY`: the team cap the store's claims apply.
@Suite struct TeamConcurrencyConfigurationTests {
    @Test func itDefaultsTo128AndTakesAnIntegerFromOneTo100000() throws {
        #expect(try ServerConfiguration.fromEnvironment([:]).teamConcurrency == 128)
        #expect(try ServerConfiguration.fromEnvironment(["VOXWORKS_TEAM_CONCURRENCY": "1"]).teamConcurrency == 1)
        #expect(try ServerConfiguration.fromEnvironment(["VOXWORKS_TEAM_CONCURRENCY": "5000"]).teamConcurrency == 5000)
        for bad in ["0", "100001", "many", "-4"] {
            #expect(throws: ServerConfiguration.Failure.self, "\(bad)") {
                try ServerConfiguration.fromEnvironment(["VOXWORKS_TEAM_CONCURRENCY": bad])
            }
        }
    }
}
