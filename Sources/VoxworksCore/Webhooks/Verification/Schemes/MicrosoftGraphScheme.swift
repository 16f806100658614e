/// Microsoft Graph change notifications: no signature header. Each item of
/// the body's `value` array carries the `clientState` the subscriber set
/// when creating the subscription (`POST /subscriptions`, at most 128
/// characters); every item must carry an active secret.
///
/// Handshake: `POST ?validationToken=T` (subscription creation, and the
/// lifecycle URL's validation) is answered `200 text/plain` with T.
/// Delivery id: none; Graph sends no delivery id.
public struct MicrosoftGraphScheme: VerificationScheme {
    public var name: SchemeName { .microsoftGraph }

    /// Graph allows at most 128 characters of `clientState`.
    static let maxClientStateLength = 128

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let items = SchemeSupport.object(request.body)?["value"]?.arrayValue, !items.isEmpty else { return .missing }
        let secrets = credentials.compactMap { credential -> [UInt8]? in
            guard let secret = credential.secret, !secret.isEmpty else { return nil }
            return Array(secret.utf8)
        }
        var states: [[UInt8]] = []
        states.reserveCapacity(items.count)
        for item in items {
            guard let state = item["clientState"]?.stringValue else { return .missing }
            states.append(Array(state.utf8))
        }
        // Every item is compared against every secret, so the time taken does
        // not reveal which item or which secret failed.
        var allMatched = true
        for state in states {
            var matched = false
            for secret in secrets where SchemeSupport.constantTimeEqual(state, secret) { matched = true }
            if !matched { allMatched = false }
        }
        return allMatched ? .verified(signedKey: nil) : .invalid
    }

    public func unsignedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeOutcome? {
        guard request.method == .post, let token = request.queryValue("validationToken") else { return nil }
        return .answer(.text(token))
    }

    public func problem(with credential: SchemeCredential) -> String? {
        guard let secret = credential.secret, !secret.isEmpty else { return "secret is required (the subscription's clientState)" }
        return secret.count > Self.maxClientStateLength ? "secret must be at most 128 characters (Graph's clientState limit)" : nil
    }
}
