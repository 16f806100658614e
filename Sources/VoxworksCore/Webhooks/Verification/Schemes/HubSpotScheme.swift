import Crypto

/// `hubspot` (signature v3): `X-HubSpot-Signature-v3: <base64 HMAC-SHA256>`
/// over `{method}{url}{body}{timestamp}`, keyed by the app's client secret
/// as UTF-8, with `X-HubSpot-Request-Timestamp` in Unix milliseconds. The
/// URL is the `url` setting (the exact URL configured in HubSpot), else the
/// webhook's public URL, with the query string received.
///
/// Delivery id: a request batches several events (each with its own
/// `eventId`), so the signed timestamp and MAC are the key.
///
/// HubSpot posts a JSON array of events, so arrays are accepted by default.
public struct HubSpotScheme: VerificationScheme {
    public let name = SchemeName.hubspot
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public var defaultAccept: [BodyFormat] { [.json, .jsonArray] }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-hubspot-signature-v3"), let timestamp = request.header("x-hubspot-request-timestamp")
        else { return .missing }
        guard timestamp.utf8.count <= 32, let expected = SchemeSupport.base64(Substring(value).trimmingSpaces, byteCount: 32) else {
            return .invalid
        }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected],
                Array((request.method.rawValue + request.url).utf8), request.body, Array(timestamp.utf8))
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance, unitsPerSecond: 1000) else {
            return .outsideWindow
        }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac))
    }
}
