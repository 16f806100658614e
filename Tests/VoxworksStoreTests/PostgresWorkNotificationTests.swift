import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport
import VoxworksRuntime

/// Idle workers of every node wake when any node commits webhooks: the
/// ingest statement notifies the work channel, delivered at commit.
@Suite struct PostgresWorkNotificationTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func anIngestCommitWakesTheWorkersOfAnotherNode() async throws {
        let url = try await PostgresTestDatabase.newSchemaURL()
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let directory = FileManager.default.temporaryDirectory
        let first = try #require(
            try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: url).store as? PostgresStore)
        let second = try #require(
            try await StoreKind.postgres.open(directory: directory, secretBox: box, postgresURL: url).store as? PostgresStore)
        let route = try await WebhookFixture.make(in: first).route

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
            let outcomes = try await first.commitIngest([
                IngestRequest(
                    executionID: .v7(now: time), route: route, body: Array("{}".utf8), contentType: "application/json",
                    idempotencyKey: nil, fingerprint: nil, sourceAddress: nil, receivedAt: time, backlogLimit: 1_000,
                    idempotencyTTL: 60)
            ])
            #expect(outcomes.count == 1)
            commits += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(9), "woken by the notification, not by the wait's timeout (\(commits) commits)")
    }
}
