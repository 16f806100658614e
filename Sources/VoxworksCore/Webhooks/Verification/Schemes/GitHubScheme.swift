import Crypto

/// `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`, keyed
/// by the webhook's secret as UTF-8. Nothing but the body is signed (no
/// timestamp), so there is no window.
///
/// Delivery id: `X-GitHub-Delivery` (a GUID; "Redeliver" in GitHub's UI
/// sends the same one again). It is not signed.
public struct GitHubScheme: VerificationScheme {
    public let name = SchemeName.github

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        HubSignature.verify(request.header("x-hub-signature-256"), body: request.body, credentials: credentials)
    }

    public func deliveryID(_ request: InboundRequest) -> String? { request.header("x-github-delivery") }
}

/// `sha256=<hex HMAC-SHA256(body)>` keyed by the secret's UTF-8: GitHub's
/// `X-Hub-Signature-256` and Bitbucket's `X-Hub-Signature`.
enum HubSignature {
    static func verify(_ value: String?, body: [UInt8], credentials: [SchemeCredential]) -> VerificationOutcome {
        guard let value else { return .missing }
        guard value.hasPrefix("sha256="), let mac = SchemeSupport.hex(value.dropFirst(7), byteCount: 32) else { return .invalid }
        return SchemeSupport.firstMatch(SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [mac], body) != nil
            ? .verified(signedKey: nil) : .invalid
    }
}
