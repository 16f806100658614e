/// What one sender's verification scheme does. Each provider is one small
/// value in its own file behind this protocol, so adding a provider is one
/// file (and one case in `SchemeName` and `SchemeCatalog`) and one test.
///
/// Order on the hook path: `unsignedHandshake` (GET challenges and the
/// like, answered before anything is verified), then `verify` over the raw
/// bytes, then `signedHandshake` (challenges that arrive signed), then the
/// body is parsed as `accept` allows and `deliveryID` becomes the
/// idempotency key when no idempotency header is sent.
public protocol VerificationScheme: Sendable {
    var name: SchemeName { get }

    /// Checks the request against every active credential (newest first,
    /// at most two). Every comparison is constant time; every primitive
    /// comes from swift-crypto.
    func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome

    /// A handshake the provider sends without a signature, answered before
    /// verification (Meta's and X's GET challenges, Microsoft Graph's
    /// `validationToken`, Asana's `X-Hook-Secret`). Nil: not a handshake.
    func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome?

    /// A handshake that arrives signed (Slack, Zoom, Twitch, Discord),
    /// answered after `verify` passed. Nil: not a handshake.
    func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer?

    /// The provider's delivery id, used as the idempotency key when the
    /// request carries no idempotency header.
    func deliveryID(_ request: InboundRequest) -> String?

    /// Whether `GET /api/v1/hooks/{token}` is answered (a GET handshake);
    /// for every other scheme it stays `405`.
    var answersGET: Bool { get }

    /// The bodies this provider sends, when `webhook.accept` is not set.
    var defaultAccept: [BodyFormat] { get }

    /// What is wrong with a credential for this scheme (`"secret is
    /// required"`, `"public_key must be 64 hex digits"`), or nil when it is
    /// usable. Checked when a credential is saved, so a typo is a `400`
    /// and not a webhook that refuses every delivery.
    func problem(with credential: SchemeCredential) -> String?
}

extension VerificationScheme {
    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? { nil }
    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? { nil }
    public func deliveryID(_ request: InboundRequest) -> String? { nil }
    public var answersGET: Bool { false }
    public var defaultAccept: [BodyFormat] { [.json] }
    public func problem(with credential: SchemeCredential) -> String? {
        (credential.secret ?? "").isEmpty ? "secret is required" : nil
    }
}

/// The result of checking one request's signature.
public enum VerificationOutcome: Sendable, Equatable {
    /// Valid. `signedKey` is an idempotency key the signature itself fixes
    /// (a signed delivery id, or a signed timestamp and MAC), which wins
    /// over unsigned headers so a captured request cannot be replayed
    /// under a new key.
    case verified(signedKey: String?)
    /// `401 Missing webhook signature`: the scheme's header(s) are absent.
    case missing
    /// `401 Invalid webhook signature`: nothing matches an active credential.
    case invalid
    /// `401 Webhook timestamp outside the allowed window`.
    case outsideWindow
}

/// What the service answers to a handshake, instead of starting an execution.
public struct HandshakeAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Extra response headers (Asana's `X-Hook-Secret`).
    public var headers: [String: String]

    public init(status: Int = 200, contentType: String, body: [UInt8], headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func json(_ text: String) -> HandshakeAnswer {
        HandshakeAnswer(contentType: "application/json", body: Array(text.utf8))
    }

    public static func text(_ text: String) -> HandshakeAnswer {
        HandshakeAnswer(contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// An unsigned handshake's result.
public enum HandshakeOutcome: Sendable, Equatable {
    /// Answer it as given.
    case answer(HandshakeAnswer)
    /// Asana: answer, and keep `secret` as the webhook's secret from now on
    /// (only when the webhook has none yet).
    case adoptSecret(String, HandshakeAnswer)
    /// The challenge is refused (Meta's wrong `verify_token` → `403`).
    case refused(status: Int, message: String)
}

/// A body form a webhook takes (`webhook.accept`).
public enum BodyFormat: String, Sendable, CaseIterable, Codable {
    /// One JSON object (the default contract).
    case json
    /// `application/x-www-form-urlencoded`; the trigger is an object of the fields.
    case form
    /// A top-level JSON array; the trigger is `{"items": [...]}`.
    case jsonArray = "json_array"
}
