import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// Idle workers of every node wake when any node commits webhooks: the
/// ingest statement notifies the work channel, delivered at commit.
@Suite struct PostgresWorkNotificationTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func anIngestCommitWakesTheWorkersOfAnotherNode() async throws {
        let url = try await PostgresTestDatabase.newSchemaURL()
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let directory = FileManager.default.temporaryDirectory
        let first = try #require(try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: url).store as? PostgresStore)
        let second = try #require(try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: url).store as? PostgresStore)
        let now = Timestamp.now()
        let team = try await first.createTeam(name: "T", now: now)
        let automation = try await first.createAutomation(
            NewAutomation(
                id: .v7(), teamID: team.id, name: "A", enabled: true, definition: AutomationDefinition.empty,
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: now)
        let route = try #require(try await first.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: now))

        let signal = WorkSignal()
        let listener = Task { try await PostgresWorkListener(store: second, signal: signal).run() }
        defer { listener.cancel() }
        // The listener may not be listening yet: commit until a signal
        // arrives (each commit a new execution), for at most 10 s.
        let woke = LockedBox(false)
        let waiter = Task {
            await signal.wait(timeout: .seconds(10))
            woke.withLock { $0 = true }
        }
        let started = ContinuousClock.now
        var commits = 0
        while !woke.value && ContinuousClock.now - started < .seconds(10) {
            let time = Timestamp.now()
            let outcomes = try await first.commitIngest([IngestRequest(
                executionID: .v7(now: time), route: route, body: Array("{}".utf8), contentType: "application/json",
                idempotencyKey: nil, fingerprint: nil, sourceAddress: nil, receivedAt: time, backlogLimit: 1_000,
                idempotencyTTL: 60)])
            #expect(outcomes.count == 1)
            commits += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(9), "woken by the notification, not by the wait's timeout (\(commits) commits)")
    }
}
