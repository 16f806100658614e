import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// `http_request` cannot call this service's own listener through an
/// allow-list entry that does not name its port: real sockets on
/// 127.0.0.1, a `LocalReceiver` playing the service's own listener.
@Suite struct OwnListenerOutboundTests {
    static func get(_ url: String) -> OutboundRequest {
        OutboundRequest(method: "GET", url: url, headers: [], body: nil, timeoutSeconds: 10)
    }

    @Test func theRealClientRefusesTheOwnPortUnlessAnEntryNamesIt() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        let own = OutboundPolicy.ListenAddress(host: "127.0.0.1", port: receiver.port)

        let broad = GuardedHTTPClient(policy: OutboundPolicy(allow: ["127.0.0.1", "localhost"], own: own))
        for url in [receiver.url("/own"), "http://localhost:\(receiver.port)/own", "http://[::ffff:127.0.0.1]:\(receiver.port)/own"] {
            do {
                _ = try await broad.send(Self.get(url))
                Issue.record("\(url) was reached")
            } catch {
                guard case .refused(let why) = error else { Issue.record("\(url): \(error)"); continue }
                #expect(why.contains("port \(receiver.port)"), "\(why)")
            }
        }
        #expect(receiver.requests(to: "/own").isEmpty)

        // The same entry still opens loopback's other ports (the receiver, seen from a policy whose own port is another).
        let elsewhere = GuardedHTTPClient(
            policy: OutboundPolicy(
                allow: ["127.0.0.1"],
                own: OutboundPolicy.ListenAddress(host: "127.0.0.1", port: receiver.port == 65535 ? 65534 : receiver.port + 1)))
        #expect(try await elsewhere.send(Self.get(receiver.url("/other"))).status == 200)

        let named = GuardedHTTPClient(policy: OutboundPolicy(allow: ["127.0.0.1:\(receiver.port)"], own: own))
        #expect(try await named.send(Self.get(receiver.url("/own"))).status == 200)
        #expect(receiver.requests(to: "/own").count == 1)
        #expect(receiver.requests(to: "/other").count == 1)
    }

    @Test(arguments: StoreKind.available)
    func anHTTPRequestStepToTheOwnPortFailsAsRefused(_ kind: StoreKind) async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        let own = OutboundPolicy.ListenAddress(host: "127.0.0.1", port: receiver.port)
        let engine = try await EngineHarness.make(kind, receiver: receiver) {
            $0.outboundAllow = ["127.0.0.1"]
            $0.ownListenAddress = own
        }
        let automation = try await engine.automation(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"out","type":"http_request","url":"\(receiver.url("/self"))"}]}
            """)
        let id = try await engine.trigger(automation, "{}")
        guard case .failed(let message)? = try await engine.turn()?.outcome else { Issue.record("expected a refused step"); return }
        #expect(message.contains("refused"), "\(message)")
        #expect(try await engine.execution(id).status == .failed)
        #expect(receiver.requests(to: "/self").isEmpty)

        // Naming the port opens it.
        let opened = try await EngineHarness.make(base: engine.base, receiver: receiver) {
            $0.outboundAllow = ["127.0.0.1", "127.0.0.1:\(receiver.port)"]
            $0.ownListenAddress = own
        }
        let second = try await opened.trigger(automation, "{}")
        #expect(try await opened.turn()?.outcome == .completed)
        #expect(try await opened.execution(second).status == .completed)
        #expect(receiver.requests(to: "/self").count == 1)
    }

    /// The composition root tells the engine the node's own `VOXWORKS_HOST`
    /// and `VOXWORKS_PORT`: a step to that port fails as refused by the
    /// policy (never retried), where a mere connection error would be retried.
    @Test func theServerTellsItsWorkersItsOwnPort() async throws {
        let own = try RefusingPort()
        let harness = try await TestHarness.make {
            $0.role = .all
            $0.host = "127.0.0.1"
            $0.port = own.port
            $0.engine = EngineConfiguration(workers: 1)
            $0.engine.outboundAllow = ["127.0.0.1"]
        }
        let definition = try JSONParser().parse(
            """
            {"trigger":{"type":"webhook"},"steps":[{"id":"self","type":"http_request","url":"\(own.url("/api/v1/health"))"}]}
            """)
        let automation = try await harness.store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: harness.teamID, name: "self", enabled: true, definition: definition, webhookID: .v7(),
                token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: .now())
        try await harness.application().test(.live) { client in
            let accepted = try await client.execute(
                uri: hookPath(automation.webhook.token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: "{}"))
            let id = try expectAccepted(accepted)
            var execution = try #require(try await harness.store.execution(id: id, teamID: harness.teamID))
            let deadline = ContinuousClock.now + .seconds(30)
            while !execution.status.isFinal, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                execution = try #require(try await harness.store.execution(id: id, teamID: harness.teamID))
            }
            #expect(execution.status == .failed)
            let step = try #require(try await harness.store.steps(executionID: id).first { $0.stepID == "self" })
            #expect(step.error?.contains("refused") == true, "\(String(describing: step.error))")
            #expect(step.error?.contains("port \(own.port)") == true)
        }
        withExtendedLifetime(own) {}
    }
}
