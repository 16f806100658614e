import Crypto

/// Stripe's signature form, which Calendly copies: one header of
/// `t=<unix>,v1=<hex>[,v1=…]`, each `v1` a hex HMAC-SHA256 over
/// `{t}.{body}` keyed by the secret text as UTF-8. The MAC is checked
/// before the window, so the window cannot be probed without the secret.
enum StripeStyleSignature {
    /// A signature that matched an active credential, or why none did.
    enum Match {
        case matched(timestamp: Substring, mac: [UInt8])
        case refused(VerificationOutcome)
    }

    static func match(
        _ request: InboundRequest, header name: String, credentials: [SchemeCredential], nowSeconds: Double, tolerance: Double
    ) -> Match {
        guard let text = request.header(name) else { return .refused(.missing) }
        guard text.utf8.count <= SchemeSupport.maxSignatureText else { return .refused(.invalid) }
        let header = TimestampedHeader(text, separator: ",", timestampName: "t", signatureName: "v1")
        guard let timestamp = header.timestamp else { return .refused(.invalid) }
        let expected = header.signatures.compactMap { SchemeSupport.hex($0, byteCount: 32) }
        guard
            let mac = SchemeSupport.firstMatch(
                SHA256.self, keys: SchemeSupport.utf8Keys(credentials), expected: expected, Array("\(timestamp).".utf8), request.body)
        else { return .refused(.invalid) }
        guard SchemeSupport.isFresh(timestamp, nowSeconds: nowSeconds, tolerance: tolerance) else { return .refused(.outsideWindow) }
        return .matched(timestamp: timestamp, mac: mac)
    }
}
