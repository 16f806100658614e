import Crypto

/// `twilio`: `X-Twilio-Signature: <base64 HMAC-SHA1>` keyed by the
/// account's Auth Token as UTF-8, over the full URL Twilio called (the
/// `url` setting, else the webhook's public URL, with the query string)
/// followed, for a form body, by every POST parameter name and value
/// concatenated, names sorted (byte order) and each name's values sorted,
/// duplicates once, as Twilio's SDKs do. For a JSON body Twilio adds
/// `bodySHA256=<hex SHA-256 of the body>` to the URL and signs the URL
/// alone; the body must match that hash. As the SDKs do, the URL is also
/// tried with the default port added or an explicit port removed, since
/// Twilio signs either form.
///
/// Delivery id: `I-Twilio-Idempotency-Token` (the same on Twilio's retries
/// of one callback). Not signed.
public struct TwilioScheme: VerificationScheme {
    public let name = SchemeName.twilio

    public init() {}

    public var defaultAccept: [BodyFormat] { [.json, .form] }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-twilio-signature") else { return .missing }
        guard let expected = SchemeSupport.base64(Substring(value).trimmingSpaces, byteCount: 20) else { return .invalid }
        var params: [UInt8] = []
        if let bodyHash = request.queryValue("bodySHA256") {
            let digest = Array(SHA256.hash(data: request.body))
            guard let sent = SchemeSupport.hex(bodyHash, byteCount: 32), SchemeSupport.constantTimeEqual(digest, sent) else {
                return .invalid
            }
        } else if !request.body.isEmpty {
            guard let pairs = FormURLEncoded.decode(request.body) else { return .invalid }
            params = Self.sortedParameters(pairs)
        }
        let keys = SchemeSupport.utf8Keys(credentials)
        for url in Self.urlVariants(request.url) {
            if SchemeSupport.firstMatch(Insecure.SHA1.self, keys: keys, expected: [expected], Array(url.utf8), params) != nil {
                return .verified(signedKey: nil)
            }
        }
        return .invalid
    }

    public func deliveryID(_ request: InboundRequest) -> String? { request.header("i-twilio-idempotency-token") }

    /// `name value name value …`, names in byte order, each name's
    /// distinct values in byte order.
    static func sortedParameters(_ pairs: [(name: String, value: String)]) -> [UInt8] {
        var byName: [String: Set<String>] = [:]
        for pair in pairs { byName[pair.name, default: []].insert(pair.value) }
        var out: [UInt8] = []
        for name in byName.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            for value in (byName[name] ?? []).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                out.append(contentsOf: name.utf8)
                out.append(contentsOf: value.utf8)
            }
        }
        return out
    }

    /// The URL as given, then without its explicit port or with the
    /// scheme's default port (`:443` for https, `:80` for http).
    static func urlVariants(_ url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [url] }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        if let colon = authority[hostEnd...].lastIndex(of: ":") {
            return [url, String(url[..<colon]) + String(url[authorityEnd...])]
        }
        let port = url.hasPrefix("https://") ? ":443" : ":80"
        return [url, String(url[..<authorityEnd]) + port + String(url[authorityEnd...])]
    }
}
