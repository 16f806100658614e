import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("CalendlyScheme")
struct CalendlySchemeTests {
    // Calendly documents the algorithm ("Webhook Signatures":
    // Calendly-Webhook-Signature = "t=<ts>,v1=<hex HMAC-SHA256("{t}.{body}")>"
    // with the webhook signing key) but publishes no fixed vector and no
    // verifying SDK. Made with openssl:
    //   printf '%s' '1700000000.{"event":"invitee.created","payload":{}}' | openssl dgst -sha256 -hmac 'calendly-signing-key'
    let key = "calendly-signing-key"
    let body = #"{"event":"invitee.created","payload":{}}"#
    let header = "t=1700000000,v1=af03a8a35c6a7254eb7fb53e0032cdf9829dbcffe7994ae4a5db767e1dbf8e61"
    let now: Double = 1_700_000_000

    func request(_ header: String? = nil) -> InboundRequest {
        SchemeFixture.request(headers: [("Calendly-Webhook-Signature", header ?? self.header)], body: body)
    }

    @Test("Known answer (openssl, Calendly's documented algorithm); keyed by the signed timestamp and MAC")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.calendly)
        #expect(
            scheme.verify(request(), credentials: [SchemeFixture.secret(key)], nowSeconds: now)
                == .verified(signedKey: "sig:1700000000:af03a8a35c6a7254eb7fb53e0032cdf9"))
    }

    @Test("Tampered body, changed t, wrong key, missing header, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.calendly)
        let good = SchemeFixture.secret(key)
        let other = SchemeFixture.secret("other-key")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(
                request(header.replacingOccurrences(of: "t=1700000000", with: "t=1700000001")), credentials: [good], nowSeconds: now)
                == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "Calendly-Webhook-Signature"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: now)))
    }
}
