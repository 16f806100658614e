/// `gitlab`: GitLab sends the webhook's "Secret token" verbatim in
/// `X-Gitlab-Token`; nothing is signed, so the check is a constant-time
/// comparison of that header with the secret.
///
/// Delivery id: `X-Gitlab-Event-UUID` (one per event; a retry or a
/// "Resend request" keeps it). Not signed.
public struct GitLabScheme: VerificationScheme {
    public let name = SchemeName.gitlab

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let token = request.header("x-gitlab-token") else { return .missing }
        let sent = Array(token.utf8)
        for credential in credentials {
            guard let secret = credential.secret, !secret.isEmpty else { continue }
            if SchemeSupport.constantTimeEqual(sent, Array(secret.utf8)) { return .verified(signedKey: nil) }
        }
        return .invalid
    }

    public func deliveryID(_ request: InboundRequest) -> String? { request.header("x-gitlab-event-uuid") }
}
