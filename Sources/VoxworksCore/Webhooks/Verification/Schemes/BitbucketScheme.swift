/// `bitbucket` (Cloud and Data Center): `X-Hub-Signature: sha256=<hex
/// HMAC-SHA256(body)>` keyed by the webhook's secret as UTF-8. Only the
/// body is signed.
///
/// Delivery id: `X-Request-UUID` (Cloud), else `X-Request-Id` (Data
/// Center): one per delivery. Not signed.
public struct BitbucketScheme: VerificationScheme {
    public let name = SchemeName.bitbucket

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        HubSignature.verify(request.header("x-hub-signature"), body: request.body, credentials: credentials)
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        request.header("x-request-uuid") ?? request.header("x-request-id")
    }
}
