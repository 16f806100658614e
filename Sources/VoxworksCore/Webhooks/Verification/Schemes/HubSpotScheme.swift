import Crypto

/// `hubspot` (signature v3): `X-HubSpot-Signature-v3: <base64 HMAC-SHA256>`
/// over `{method}{url}{body}{timestamp}`, keyed by the app's client secret
/// as UTF-8, with `X-HubSpot-Request-Timestamp` in Unix milliseconds. The
/// URL is the `url` setting (the exact URL configured in HubSpot), else the
/// webhook's public URL, with the query string received. HubSpot signs
/// the URL with some percent-escapes decoded (`%3A` `%2F` `%3F` `%40` `%21`
/// `%24` `%27` `%28` `%29` `%2A` `%2C` `%3B`), so a URL holding any of them
/// is tried as received and decoded.
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
        let keys = SchemeSupport.utf8Keys(credentials)
        var urls = [request.url]
        if let decoded = Self.decodingSigned(request.url) { urls.append(decoded) }
        var matched: [UInt8]?
        for url in urls where matched == nil {
            matched = SchemeSupport.firstMatch(
                SHA256.self, keys: keys, expected: [expected], Array((request.method.rawValue + url).utf8), request.body,
                Array(timestamp.utf8))
        }
        guard let mac = matched else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance, unitsPerSecond: 1000) else {
            return .outsideWindow
        }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac))
    }

    /// The URL with the escapes HubSpot decodes before signing decoded,
    /// or nil when it holds none of them.
    static func decodingSigned(_ url: String) -> String? {
        let decoded: [String: UInt8] = [
            "3A": UInt8(ascii: ":"), "2F": UInt8(ascii: "/"), "3F": UInt8(ascii: "?"), "40": UInt8(ascii: "@"),
            "21": UInt8(ascii: "!"), "24": UInt8(ascii: "$"), "27": UInt8(ascii: "'"), "28": UInt8(ascii: "("),
            "29": UInt8(ascii: ")"), "2A": UInt8(ascii: "*"), "2C": UInt8(ascii: ","), "3B": UInt8(ascii: ";"),
        ]
        let bytes = Array(url.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let byte = decoded[String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self).uppercased()]
            {
                out.append(byte)
                index += 3
                changed = true
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : nil
    }
}
