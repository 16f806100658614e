import Foundation
import Logging
import Synchronization
import Testing
import VoxworksCore
@testable import VoxworksEngine
import VoxworksStore
import VoxworksTestSupport

/// The node's one heartbeat loop extends the leases of the turns it runs,
/// in a real store: the sweep must not take a held execution back, and a
/// turn's end must stop only its own worker's beats.
@Suite struct LeaseHeartbeatTests {
    /// The time the heartbeat writes leases from, set by the test.
    final class TestClock: Sendable {
        private let time: Mutex<Timestamp>
        init(_ time: Timestamp) { self.time = Mutex(time) }
        func set(_ time: Timestamp) { self.time.withLock { $0 = time } }
        func now() -> Timestamp { time.withLock { $0 } }
    }

    /// Worker `a` lost the execution (its lease expired and worker `b` of
    /// the same node claimed it) and ends its turn late: `b`'s beats go on.
    /// Then `b` ends its turn, and the beats stop.
    @Test(arguments: StoreKind.available)
    func aTurnsEndStopsOnlyItsOwnWorkersBeats(_ kind: StoreKind) async throws {
        let (store, directory, _) = try await kind.makeStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await store.closing { try await checkBeats(store) }
    }

    private func checkBeats(_ store: any Store) async throws {
        let start = Timestamp.now()
        let route = try await WebhookFixture.make(in: store, now: start).route
        let id = UUID.v7(now: start)
        let outcomes = try await store.commitIngest([
            IngestRequest(
                executionID: id, route: route, body: Array("{}".utf8), contentType: "application/json", idempotencyKey: nil,
                fingerprint: nil, sourceAddress: nil, receivedAt: start, backlogLimit: 100, idempotencyTTL: 60)
        ])
        #expect(outcomes == [.accepted(id)])
        let leaseSeconds = 0.2
        let claimed = try await store.claimExecution(worker: "b", now: start, leaseUntil: start.adding(seconds: leaseSeconds))
        #expect(claimed?.execution.id == id)

        let clock = TestClock(start)
        let heartbeat = LeaseHeartbeat(store: store, leaseSeconds: leaseSeconds, clock: { clock.now() }, logger: Logger(label: "test"))
        heartbeat.begin(id, worker: "a")
        heartbeat.begin(id, worker: "b")
        heartbeat.end(id, worker: "a")
        // A beat is due a quarter of the lease after `begin`.
        try await Task.sleep(for: .milliseconds(100))
        clock.set(start.adding(seconds: 10))
        await heartbeat.beatDue()
        // `b`'s lease now runs to start + 10.2 s, far past the claim's start + 0.2 s.
        #expect(try await store.releaseExpiredLeases(now: start.adding(seconds: 5)) == 0, "b's lease was extended")

        heartbeat.end(id, worker: "b")
        try await Task.sleep(for: .milliseconds(100))
        clock.set(start.adding(seconds: 20))
        await heartbeat.beatDue()
        #expect(try await store.releaseExpiredLeases(now: start.adding(seconds: 15)) == 1, "no beat after b's turn ended")
    }
}
