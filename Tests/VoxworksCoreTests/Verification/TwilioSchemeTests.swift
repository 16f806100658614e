import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("TwilioScheme")
struct TwilioSchemeTests {
    // Known answers. Source: github.com/twilio/twilio-python,
    // tests/unit/test_request_validator.py (token "12345", uri, params,
    // expected "RSOYDt4T1cUTdK1PDd93/VVr8B8=", the duplicate-values vector,
    // the port vectors and the JSON body vector with bodySHA256).
    let token = "12345"
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    let form = "CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309&To=%2B18005551212&Caller=%2B14158675309"

    func request(url: String? = nil, signature: String, body: String? = nil) -> InboundRequest {
        let url = url ?? self.url
        let queryText = url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let query = FormURLEncoded.decode(Array(queryText.utf8)) ?? []
        return SchemeFixture.request(
            url: url, headers: [("X-Twilio-Signature", signature), ("I-Twilio-Idempotency-Token", "a7c1f5ae-52a8-4e6b-a3d0-0c5f1b4d2e77")],
            query: query, body: body ?? form)
    }

    @Test("Known answer (twilio-python): URL plus sorted POST parameters, HMAC-SHA1 base64")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.twilio)
        let credential = SchemeFixture.secret(token)
        #expect(
            scheme.verify(request(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8="), credentials: [credential], nowSeconds: 0)
                == .verified(signedKey: nil))
        // Parameter order on the wire does not matter; the signature sorts them.
        let reordered = "To=%2B18005551212&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&CallSid=CA1234567890ABCDE"
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(request(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", body: reordered), credentials: [credential], nowSeconds: 0)
            ))
        #expect(scheme.defaultAccept == [.json, .form])
    }

    @Test("Known answer (twilio-python): repeated names sort their values and count each value once")
    func duplicateValues() throws {
        let scheme = try SchemeFixture.scheme(.twilio)
        let body = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234"
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(
                    request(signature: "IK+Dwps556ElfBT0I3Rgjkr1wJU=", body: body), credentials: [SchemeFixture.secret(token)],
                    nowSeconds: 0)))
    }

    @Test("Known answers (twilio-python): the URL is tried with the default port added and an explicit port removed")
    func ports() throws {
        let scheme = try SchemeFixture.scheme(.twilio)
        let credential = SchemeFixture.secret(token)
        // Signed with :443, received without a port.
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(request(signature: "kvajT1Ptam85bY51eRf/AJRuM3w="), credentials: [credential], nowSeconds: 0)))
        // Signed without a port, received with :1234.
        let withPort = url.replacingOccurrences(of: ".com", with: ".com:1234")
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(request(url: withPort, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8="), credentials: [credential], nowSeconds: 0)))
        // http with :80.
        let http = url.replacingOccurrences(of: "https", with: "http")
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(request(url: http, signature: "0ZXoZLH/DfblKGATFgpif+LLRf4="), credentials: [credential], nowSeconds: 0)))
        #expect(TwilioScheme.urlVariants("https://a.example/x") == ["https://a.example/x", "https://a.example:443/x"])
        #expect(TwilioScheme.urlVariants("http://[::1]:8080/x?y") == ["http://[::1]:8080/x?y", "http://[::1]/x?y"])
    }

    @Test("Known answer (twilio-python): a JSON body is signed through bodySHA256 in the URL")
    func jsonBody() throws {
        let scheme = try SchemeFixture.scheme(.twilio)
        let body = #"{"property": "value", "boolean": true}"#
        let signedURL = url + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
        let good = request(url: signedURL, signature: "a9nBmqA0ju/hNViExpshrM61xv4=", body: body)
        #expect(scheme.verify(good, credentials: [SchemeFixture.secret(token)], nowSeconds: 0) == .verified(signedKey: nil))
        // The URL still matches but the body does not hash to bodySHA256.
        #expect(scheme.verify(SchemeFixture.tampered(good), credentials: [SchemeFixture.secret(token)], nowSeconds: 0) == .invalid)
    }

    @Test("Tampered parameter, wrong token, wrong URL, missing header, rotation; no window (nothing timed is signed)")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.twilio)
        let good = SchemeFixture.secret(token)
        let other = SchemeFixture.secret("54321")
        let valid = request(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(scheme.verify(SchemeFixture.tampered(valid), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(valid, credentials: [other], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(
                request(url: "https://mycompany.com/myapp.php?foo=1&bar=3", signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8="), credentials: [good],
                nowSeconds: 0) == .invalid)
        #expect(scheme.verify(SchemeFixture.removing(valid, header: "X-Twilio-Signature"), credentials: [good], nowSeconds: 0) == .missing)
        #expect(scheme.verify(valid, credentials: [other, good], nowSeconds: 1e12) == .verified(signedKey: nil))
        #expect(
            scheme.verify(request(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", body: "a=%zz"), credentials: [good], nowSeconds: 0) == .invalid
        )
    }

    @Test("Delivery id is I-Twilio-Idempotency-Token")
    func deliveryID() throws {
        #expect(try SchemeFixture.scheme(.twilio).deliveryID(request(signature: "x")) == "a7c1f5ae-52a8-4e6b-a3d0-0c5f1b4d2e77")
    }

    @Test("url, when set, must be an absolute http(s) URL")
    func urlSetting() throws {
        #expect(throws: SchemeSettingsError("url must be an absolute http:// or https:// URL")) {
            try SchemeCatalog.scheme(.twilio, settings: VerificationSettings(url: "mycompany.com/x"))
        }
        #expect((try? SchemeCatalog.scheme(.twilio, settings: VerificationSettings(url: url))) != nil)
    }
}
