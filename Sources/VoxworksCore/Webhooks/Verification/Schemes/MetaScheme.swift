/// Meta (WhatsApp Cloud API, Messenger, Instagram): `X-Hub-Signature-256:
/// sha256=<hex>`, HMAC-SHA256 of the raw body keyed with the app secret as
/// UTF-8 (App Dashboard → App settings → Basic → App secret).
///
/// Handshake: the subscription check `GET ?hub.mode=subscribe&
/// hub.verify_token=V&hub.challenge=C` is answered `200` with the text `C`
/// when V is the configured `verify_token`, `403` otherwise.
/// Delivery id: none; Meta sends no delivery id and its bodies batch
/// entries without one.
public struct MetaScheme: VerificationScheme {
    public var name: SchemeName { .meta }
    public var answersGET: Bool { true }

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        SchemeCrypto.verifyBodyMAC(
            header: request.header("x-hub-signature-256"), prefix: "sha256=", encoding: .hex, algorithm: .sha256, body: request.body,
            keys: SchemeCrypto.utf8Secrets(credentials))
    }

    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        guard request.method == .get, request.queryValue("hub.mode") != nil || request.queryValue("hub.challenge") != nil else {
            return nil
        }
        guard request.queryValue("hub.mode") == "subscribe", let challenge = request.queryValue("hub.challenge"),
            let token = request.queryValue("hub.verify_token")
        else { return .refused(status: 403, message: "Invalid verify token") }
        var matched = false
        for credential in credentials {
            guard let expected = credential.verifyToken, !expected.isEmpty else { continue }
            if SchemeCrypto.constantTimeEquals(token, expected) { matched = true }
        }
        return matched ? .answer(.text(challenge)) : .refused(status: 403, message: "Invalid verify token")
    }

    public func problem(with credential: SchemeCredential) -> String? {
        if (credential.secret ?? "").isEmpty { return "secret is required (the app secret)" }
        if (credential.verifyToken ?? "").isEmpty { return "verify_token is required (the token typed in Meta's webhook settings)" }
        return nil
    }
}
