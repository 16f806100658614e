/// PagerDuty (V3 webhooks): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`,
/// HMAC-SHA256 of the raw body keyed with the subscription's secret as
/// UTF-8 (Integrations → Generic Webhooks (v3) → the subscription; shown
/// once at creation). During PagerDuty's own rotation the header lists
/// several signatures; any one matching is enough.
///
/// Delivery id: the body's `event.id`.
public struct PagerDutyScheme: VerificationScheme {
    public var name: SchemeName { .pagerduty }

    /// More entries than any rotation produces are not looked at.
    static let maxSignatures = 8

    public init() {}

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-pagerduty-signature") else { return .missing }
        guard value.utf8.count <= SchemeCrypto.maxSignatureLength else { return .invalid }
        let keys = SchemeCrypto.utf8Secrets(credentials)
        var matched = false
        for entry in value.split(separator: ",", omittingEmptySubsequences: true).prefix(Self.maxSignatures) {
            let entry = SchemeCrypto.trimmed(entry)
            guard entry.hasPrefix("v1="), let mac = SchemeCrypto.Encoding.hex.decode(entry.dropFirst(3)) else { continue }
            if SchemeCrypto.matchesAny(mac, message: request.body, keys: keys, algorithm: .sha256) { matched = true }
        }
        return matched ? .verified(signedKey: nil) : .invalid
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        guard let id = SchemeSupport.object(request.body)?["event"]?["id"]?.stringValue, !id.isEmpty else { return nil }
        return id
    }
}
