import Foundation
import Testing
import VoxworksCore
import VoxworksIngest
import VoxworksRuntime
import VoxworksStore
import VoxworksTestSupport

/// A scheme that exists only in this test target, so the hook path is
/// tested apart from any provider's algorithm: `x-test-signature` is the
/// hex HMAC-SHA256 of the body keyed with the secret's UTF-8 bytes;
/// `x-test-timestamp` (optional) must be within 300 s; `x-test-delivery`
/// is the delivery id; `{"type":"ping"}` is a signed handshake; a GET with
/// `challenge` (and `verify_token`) or a POST with `x-hook-secret` are
/// unsigned ones.
struct TestScheme: VerificationScheme {
    var name: SchemeName { .hmac }
    var defaultAccept: [BodyFormat] { [.json, .form] }
    var answersGET: Bool { true }

    func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let signature = request.header("X-Test-Signature") else { return .missing }
        let valid = credentials.contains { credential in
            SignatureVerifier.sign(body: request.body, key: Array((credential.secret ?? "").utf8)) == signature
        }
        guard valid else { return .invalid }
        if let timestamp = request.header("x-test-timestamp"), let seconds = Double(timestamp), abs(nowSeconds - seconds) > 300 {
            return .outsideWindow
        }
        return .verified(signedKey: request.header("x-test-signed-key"))
    }

    func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        if request.method == .get, let challenge = request.queryValue("challenge") {
            guard request.queryValue("verify_token") == "right" else { return .refused(status: 403, message: "Wrong verify token") }
            return .answer(.text(challenge))
        }
        if let secret = request.header("x-hook-secret") {
            return .adoptSecret(secret, HandshakeAnswer(contentType: "text/plain", body: [], headers: ["X-Hook-Secret": secret]))
        }
        return nil
    }

    func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        request.body == Array(#"{"type":"ping"}"#.utf8) ? .json(#"{"type":"pong"}"#) : nil
    }

    func deliveryID(_ request: InboundRequest) -> String? { request.header("x-test-delivery") }
}

/// The routes of a real store, with the test scheme put on every route.
struct TestSchemeRoutes: WebhookRoutes {
    let store: any Store
    let accept: [BodyFormat]?

    func route(tokenHash: String, now: Timestamp) async throws -> WebhookRoute? {
        guard var route = try await store.route(tokenHash: tokenHash, now: now) else { return nil }
        let credentials = route.verification?.credentials.filter { $0.secret != nil } ?? []
        route.verification = RouteVerification(scheme: TestScheme(), credentials: credentials, url: nil)
        route.accept = accept ?? TestScheme().defaultAccept
        return route
    }
}

/// The hook path with a verifying scheme: handshakes (unsigned and signed,
/// with Asana-style secret adoption), the three 401s, bodies other than one
/// JSON object, and the delivery id as idempotency key. On both stores.
@Suite struct VerifiedIngestTests {
    static func service(_ store: any Store, accept: [BodyFormat]? = nil) -> IngestService {
        IngestService(
            routes: TestSchemeRoutes(store: store, accept: accept), writer: IngestWriter(committer: store), limiter: LocalRateLimiter(),
            settings: IngestService.Settings(
                teamRateLimit: RateLimit(perSecond: 1_000, burst: 1_000), maxBodyBytes: 4_096, backlogLimit: 10_000, idempotencyTTL: 86_400),
            credentials: store)
    }

    static func sign(_ body: String, _ secret: String) -> String { SignatureVerifier.sign(body: Array(body.utf8), key: Array(secret.utf8)) }

    static func delivery(
        _ body: String, headers: [(String, String)], contentType: String = "application/json", keys: [String?] = [nil, nil, nil],
        method: InboundRequest.Method = .post, query: [(name: String, value: String)] = []
    ) -> IngestService.Delivery {
        var delivery = IngestService.Delivery(
            body: Array(body.utf8), contentType: contentType, keyHeaders: keys, sourceAddress: "127.0.0.1")
        delivery.headers = [(name: "content-type", value: contentType)] + headers.map { (name: $0.0, value: $0.1) }
        delivery.method = method
        delivery.query = query
        delivery.publicURL = "https://hooks.example/api/v1/hooks/t"
        return delivery
    }

    /// A webhook with the test scheme and one credential.
    static func fixture(_ store: any Store, secret: String = "s3cret") async throws -> WebhookFixture {
        let fixture = try await WebhookFixture.make(in: store)
        _ = try await store.changeVerification(
            automationID: fixture.automation.id, teamID: fixture.team.id,
            change: VerificationChange(
                scheme: .set(WebhookVerification(scheme: .hmac, settings: VerificationSettings(header: "X-Test-Signature"))),
                credential: SchemeCredential(secret: secret), previous: .endNow),
            now: .now())
        return fixture
    }

    @Test(arguments: StoreKind.available)
    func theThreeRefusalsAndASignedAcceptance(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await Self.fixture(store)
            let ingest = Self.service(store)
            let now = Timestamp.now()
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            // The credential came back unsealed from the store, through the route.
            #expect(admission.route.verification?.credentials == [SchemeCredential(secret: "s3cret")])
            let body = #"{"a":1}"#
            await #expect(throws: IngestRefusal.missingSignature) {
                try await ingest.receive(Self.delivery(body, headers: []), admission: admission, now: now)
            }
            await #expect(throws: IngestRefusal.invalidSignature) {
                try await ingest.receive(
                    Self.delivery(body, headers: [("x-test-signature", Self.sign(body, "wrong"))]), admission: admission, now: now)
            }
            await #expect(throws: IngestRefusal.signatureOutsideWindow) {
                try await ingest.receive(
                    Self.delivery(
                        body,
                        headers: [("x-test-signature", Self.sign(body, "s3cret")), ("x-test-timestamp", String(Int(now.seconds) - 301))]),
                    admission: admission, now: now)
            }
            let answer = try await ingest.receive(
                Self.delivery(body, headers: [("x-test-signature", Self.sign(body, "s3cret"))]), admission: admission, now: now)
            guard case .ingested(.accepted(let id)) = answer else {
                Issue.record("a signed request was not accepted: \(answer)")
                return
            }
            let execution = try #require(try await store.execution(id: id, teamID: fixture.team.id))
            #expect(execution.body == Array(body.utf8))
        }
    }

    @Test(arguments: StoreKind.available)
    func handshakesAnswerWithoutAnExecution(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await Self.fixture(store)
            let ingest = Self.service(store)
            let now = Timestamp.now()
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            // A GET challenge, answered before any signature is looked at.
            let get = try await ingest.receive(
                Self.delivery("", headers: [], method: .get, query: [("challenge", "c-123"), ("verify_token", "right")]),
                admission: admission, now: now)
            #expect(get == .handshake(.text("c-123")))
            await #expect(throws: IngestRefusal.handshakeRefused(status: 403, message: "Wrong verify token")) {
                try await ingest.receive(
                    Self.delivery("", headers: [], method: .get, query: [("challenge", "c"), ("verify_token", "wrong")]),
                    admission: admission, now: now)
            }
            // A GET that is no handshake is refused as a method.
            await #expect(throws: IngestRefusal.methodNotAllowed) {
                try await ingest.receive(Self.delivery("", headers: [], method: .get), admission: admission, now: now)
            }
            // A signed handshake: answered once verified, and refused unsigned.
            let ping = #"{"type":"ping"}"#
            let pong = try await ingest.receive(
                Self.delivery(ping, headers: [("x-test-signature", Self.sign(ping, "s3cret"))]), admission: admission, now: now)
            #expect(pong == .handshake(.json(#"{"type":"pong"}"#)))
            await #expect(throws: IngestRefusal.invalidSignature) {
                try await ingest.receive(
                    Self.delivery(ping, headers: [("x-test-signature", Self.sign(ping, "forged"))]), admission: admission, now: now)
            }
            // Test Webhook's entry point never answers a handshake as an ingestion.
            await #expect(throws: IngestRefusal.handshakeNotIngested) {
                try await ingest.accept(
                    Self.delivery(ping, headers: [("x-test-signature", Self.sign(ping, "s3cret"))]), admission: admission, now: now)
            }
            let executions = try await store.executions(teamID: fixture.team.id, query: ExecutionQuery(limit: 10))
            #expect(executions.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func aHandedOverSecretIsKeptOnlyWhenThereIsNone(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await WebhookFixture.make(in: store)
            _ = try await store.changeVerification(
                automationID: fixture.automation.id, teamID: fixture.team.id,
                change: VerificationChange(scheme: .set(WebhookVerification(scheme: .asana))), now: .now())
            let ingest = Self.service(store)
            let now = Timestamp.now()
            var admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            #expect(admission.route.verification?.credentials.isEmpty == true)
            let first = try await ingest.receive(
                Self.delivery("", headers: [("x-hook-secret", "handed-over")]), admission: admission, now: now)
            guard case .handshake(let answer) = first else {
                Issue.record("the first handshake was not answered: \(first)")
                return
            }
            #expect(answer.headers["X-Hook-Secret"] == "handed-over")
            // Kept sealed, and the route now verifies with it.
            admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            #expect(admission.route.verification?.credentials == [SchemeCredential(secret: "handed-over")])
            let automation = try #require(try await store.automation(id: fixture.automation.id, teamID: fixture.team.id))
            #expect(automation.webhook.signing)
            // A second handshake cannot replace it.
            await #expect(throws: IngestRefusal.self) {
                try await ingest.receive(Self.delivery("", headers: [("x-hook-secret", "attacker")]), admission: admission, now: now)
            }
            admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            #expect(admission.route.verification?.credentials == [SchemeCredential(secret: "handed-over")])
        }
    }

    @Test(arguments: StoreKind.available)
    func formAndArrayBodiesBecomeObjects(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await Self.fixture(store)
            let ingest = Self.service(store, accept: [.json, .form, .jsonArray])
            let now = Timestamp.now()
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            let form = "From=%2B61400000000&Body=hi+there&tag=a&tag=b&payload=%7B%22type%22%3A%22x%22%7D"
            let formAnswer = try await ingest.receive(
                Self.delivery(
                    form, headers: [("x-test-signature", Self.sign(form, "s3cret"))], contentType: "application/x-www-form-urlencoded"),
                admission: admission, now: now)
            guard case .ingested(.accepted(let formID)) = formAnswer else {
                Issue.record("the form was not accepted: \(formAnswer)")
                return
            }
            let formTrigger = try JSONParser().parse(try #require(try await store.execution(id: formID, teamID: fixture.team.id)).body)
            #expect(
                formTrigger
                    == .object([
                        "From": "+61400000000", "Body": "hi there", "tag": .array(["a", "b"]), "payload": .string(#"{"type":"x"}"#),
                    ]))
            let array = #"[{"event":"open"},{"event":"click"}]"#
            let arrayAnswer = try await ingest.receive(
                Self.delivery(array, headers: [("x-test-signature", Self.sign(array, "s3cret"))]), admission: admission, now: now)
            guard case .ingested(.accepted(let arrayID)) = arrayAnswer else {
                Issue.record("the array was not accepted: \(arrayAnswer)")
                return
            }
            let arrayTrigger = try JSONParser().parse(try #require(try await store.execution(id: arrayID, teamID: fixture.team.id)).body)
            #expect(arrayTrigger == .object(["items": .array([.object(["event": "open"]), .object(["event": "click"])])]))
            // A malformed form is a 400 after a valid signature, never before.
            let bad = "a=%zz"
            await #expect(throws: IngestRefusal.self) {
                try await ingest.receive(
                    Self.delivery(
                        bad, headers: [("x-test-signature", Self.sign(bad, "s3cret"))], contentType: "application/x-www-form-urlencoded"),
                    admission: admission, now: now)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func theDefaultStaysOneJSONObject(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await Self.fixture(store)
            let ingest = Self.service(store, accept: [.json])
            let now = Timestamp.now()
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            let form = "a=1"
            await #expect(throws: IngestRefusal.unsupportedContentType) {
                try await ingest.receive(
                    Self.delivery(
                        form, headers: [("x-test-signature", Self.sign(form, "s3cret"))], contentType: "application/x-www-form-urlencoded"),
                    admission: admission, now: now)
            }
            let array = "[1]"
            await #expect(throws: IngestRefusal.malformedJSON("Request body must be a JSON object")) {
                try await ingest.receive(
                    Self.delivery(array, headers: [("x-test-signature", Self.sign(array, "s3cret"))]), admission: admission, now: now)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func theDeliveryIDDeduplicates(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        try await store.closing {
            let fixture = try await Self.fixture(store)
            let ingest = Self.service(store)
            let now = Timestamp.now()
            let admission = try await ingest.admit(token: fixture.automation.webhook.token, now: now)
            func send(_ body: String, delivery: String, keys: [String?] = [nil, nil, nil]) async throws -> IngestService.Answer {
                try await ingest.receive(
                    Self.delivery(
                        body, headers: [("x-test-signature", Self.sign(body, "s3cret")), ("x-test-delivery", delivery)], keys: keys),
                    admission: admission, now: now)
            }
            guard case .ingested(.accepted(let first)) = try await send(#"{"n":1}"#, delivery: "evt_1") else {
                Issue.record("the first delivery was not accepted")
                return
            }
            #expect(try await send(#"{"n":1}"#, delivery: "evt_1") == .ingested(.replayed(first)))
            #expect(try await send(#"{"n":2}"#, delivery: "evt_1") == .ingested(.conflict))
            // An idempotency header wins over the delivery id.
            guard case .ingested(.accepted(let other)) = try await send(#"{"n":1}"#, delivery: "evt_1", keys: ["k-9", nil, nil]) else {
                Issue.record("a request with its own key was not a new execution")
                return
            }
            #expect(other != first)
            let execution = try #require(try await store.execution(id: first, teamID: fixture.team.id))
            #expect(execution.idempotencyKey == "evt_1")
        }
    }
}
