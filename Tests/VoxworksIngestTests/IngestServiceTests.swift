import Foundation
import Testing
import VoxworksCore
import VoxworksIngest
import VoxworksRuntime
import VoxworksStore
import VoxworksTestSupport

/// Ingestion as a use case, without HTTP: what the webhook endpoint and the
/// console's Test Webhook both call. On both stores.
@Suite struct IngestServiceTests {
    static func service(_ store: any Store, teamBurst: Int = 1_000) -> IngestService {
        IngestService(
            routes: store, writer: IngestWriter(committer: store), limiter: LocalRateLimiter(),
            settings: IngestService.Settings(
                teamRateLimit: RateLimit(perSecond: 1, burst: teamBurst), maxBodyBytes: 1_024, backlogLimit: 10_000, idempotencyTTL: 86_400)
        )
    }

    static func delivery(_ body: String, signature: SignatureHeaders = SignatureHeaders(), keys: [String?] = []) -> IngestService.Delivery {
        var delivery = IngestService.Delivery(
            body: Array(body.utf8), contentType: "application/json", keyHeaders: keys, sourceAddress: "127.0.0.1")
        // The headers as the endpoint hands them over: names lower-case.
        let sent: [(String, String?)] = [
            ("content-type", "application/json"), ("x-webhook-signature", signature.webhookSignature),
            ("x-webhook-timestamp", signature.webhookTimestamp), ("webhook-id", signature.standardID),
            ("webhook-timestamp", signature.standardTimestamp), ("webhook-signature", signature.standardSignature),
        ]
        delivery.headers = sent.compactMap { name, value in value.map { (name: name, value: $0) } }
        return delivery
    }

    @Test(arguments: StoreKind.available)
    func eachRefusalIsTyped(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let key = SecretMaterial.randomBytes(32)
            let fixture = try await WebhookFixture.make(in: store, signingKey: key)
            let ingest = Self.service(store, teamBurst: 2)
            let now = Timestamp.now()
            await #expect(throws: IngestRefusal.notFound) { try await ingest.admit(token: "nope", now: now) }
            await #expect(throws: IngestRefusal.notFound) { try await ingest.admit(token: String(repeating: "x", count: 300), now: now) }
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            #expect(admission.route.webhookID == fixture.route.webhookID)
            await #expect(throws: IngestRefusal.bodyTooLarge(limit: 1_024)) {
                try await ingest.accept(Self.delivery(String(repeating: " ", count: 1_025) + "{}"), admission: admission, now: now)
            }
            var unsigned = Self.delivery(#"{"a":1}"#)
            unsigned.contentType = "text/plain"
            await #expect(throws: IngestRefusal.unsupportedContentType) {
                try await ingest.accept(unsigned, admission: admission, now: now)
            }
            await #expect(throws: IngestRefusal.missingSignature) {
                try await ingest.accept(Self.delivery(#"{"a":1}"#), admission: admission, now: now)
            }
            let wrong = SignatureHeaders(webhookSignature: SignatureVerifier.sign(body: Array(#"{"a":2}"#.utf8), key: key))
            await #expect(throws: IngestRefusal.invalidSignature) {
                try await ingest.accept(Self.delivery(#"{"a":1}"#, signature: wrong), admission: admission, now: now)
            }
            let array = SignatureHeaders(webhookSignature: SignatureVerifier.sign(body: Array("[1]".utf8), key: key))
            await #expect(throws: IngestRefusal.self) {
                try await ingest.accept(Self.delivery("[1]", signature: array), admission: admission, now: now)
            }
            // The team's ceiling (burst 2) refuses the third admission, naming the team.
            _ = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            do {
                _ = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
                Issue.record("the third admission passed a team burst of 2")
            } catch IngestRefusal.teamRateLimited(let rate, let retryAfter) {
                #expect(rate.allowed)
                #expect(retryAfter >= 1)
            }
        }
    }

    /// A Standard Webhooks request's signed `webhook-id` is its key: the
    /// unsigned header a replayer adds cannot make a second execution.
    @Test(arguments: StoreKind.available)
    func aSignedIdIsTheKeyWhateverUnsignedHeadersSay(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let key = SecretMaterial.randomBytes(32)
            let fixture = try await WebhookFixture.make(in: store, signingKey: key)
            let ingest = Self.service(store)
            let now = Timestamp.now()
            let body = #"{"lead":7}"#
            let seconds = Int(now.seconds)
            let signature = SignatureHeaders(
                standardID: "msg_1", standardTimestamp: String(seconds),
                standardSignature: SignatureVerifier.signStandard(id: "msg_1", timestamp: seconds, body: Array(body.utf8), key: key))
            var executions: [UUID] = []
            for unsigned in [nil, "replay-1", "replay-2"] {
                let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
                switch try await ingest.accept(
                    Self.delivery(body, signature: signature, keys: [unsigned, nil, "msg_1"]), admission: admission, now: now)
                {
                case .accepted(let id), .replayed(let id): executions.append(id)
                case .conflict, .backlogFull: Issue.record("refused")
                }
            }
            #expect(executions.count == 3)
            #expect(Set(executions).count == 1, "three deliveries of one signed id are one execution")
        }
    }
}
