import Crypto

/// `zoom`: `x-zm-signature: v0=<hex HMAC-SHA256("v0:{ts}:{body}")>` with
/// `x-zm-request-timestamp: <unix seconds>`, keyed by the app's Secret
/// Token as UTF-8.
///
/// Delivery id: Zoom sends none that is unique per delivery; the signed
/// timestamp and MAC are the key.
///
/// Handshake: the signed `{"event":"endpoint.url_validation","payload":
/// {"plainToken":P}}` is answered `{"plainToken":P,"encryptedToken":
/// hex(HMAC-SHA256(secret, P))}` with the newest secret.
public struct ZoomScheme: VerificationScheme {
    public let name = SchemeName.zoom
    let tolerance: Double

    public init(settings: VerificationSettings = VerificationSettings()) {
        tolerance = settings.tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header("x-zm-signature"), let timestamp = request.header("x-zm-request-timestamp") else {
            return .missing
        }
        guard timestamp.utf8.count <= 32, value.hasPrefix("v0="), let expected = SchemeSupport.hex(value.dropFirst(3), byteCount: 32)
        else { return .invalid }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: [expected], Array("v0:\(timestamp):".utf8),
                request.body)
        else { return .invalid }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .outsideWindow }
        return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac))
    }

    public func signedHandshake(_ request: InboundRequest, credentials: [SchemeCredential]) -> HandshakeAnswer? {
        guard let object = SchemeSupport.object(request.body), object["event"]?.stringValue == "endpoint.url_validation",
            let plainToken = object["payload"]?.objectValue?["plainToken"]?.stringValue,
            let key = SchemeSupport.utf8Keys(credentials).first
        else { return nil }
        let encrypted = SecretMaterial.hex(SchemeSupport.mac(SHA256.self, key: key, Array(plainToken.utf8)))
        return .json("{\"plainToken\":" + SchemeSupport.jsonString(plainToken) + ",\"encryptedToken\":\"" + encrypted + "\"}")
    }
}
