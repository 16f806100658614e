import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("MailgunScheme")
struct MailgunSchemeTests {
    // Known answer. Source: github.com/mailgun/mailgun-php,
    // tests/Api/WebhookTest.php (testVerifyWebhookGood: signing key
    // key-3ax6xnjp29jd6fds4gc373sgvjxteol0, timestamp 1403645220, token and
    // signature below).
    let key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
    let timestamp = "1403645220"
    let token = "5egbgr1vjgqxtrnp65xfznchgdccwh5d6i09vijqi3whgowmn6"
    let signature = "9cfc5c41582e51246e73c88d34db3af0a3a2692a76fbab81492842f000256d33"
    let now: Double = 1_403_645_220

    func json(token: String? = nil, timestamp: String? = nil) -> InboundRequest {
        let body =
            #"{"signature":{"timestamp":""# + (timestamp ?? self.timestamp) + #"","token":""# + (token ?? self.token) + #"","signature":""#
            + signature + #""},"event-data":{"id":"CPgfbmQMTCKtHW6uIWtuVe","event":"delivered"}}"#
        return SchemeFixture.request(headers: [("Content-Type", "application/json")], body: body)
    }

    func form() -> InboundRequest {
        SchemeFixture.request(
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "event=delivered&recipient=alice%40example.com&timestamp=\(timestamp)&token=\(token)&signature=\(signature)")
    }

    @Test("Known answer (mailgun-php), in a JSON body and in a form body; the signed token is the key")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.mailgun)
        let credential = SchemeFixture.secret(key)
        #expect(scheme.verify(json(), credentials: [credential], nowSeconds: now) == .verified(signedKey: token))
        #expect(scheme.verify(form(), credentials: [credential], nowSeconds: now) == .verified(signedKey: token))
        #expect(scheme.defaultAccept == [.json, .form])
        // A numeric timestamp in JSON is the same text.
        let numeric = SchemeFixture.request(
            headers: [], body: #"{"signature":{"timestamp":1403645220,"token":""# + token + #"","signature":""# + signature + #""}}"#)
        #expect(scheme.verify(numeric, credentials: [credential], nowSeconds: now) == .verified(signedKey: token))
    }

    @Test("Tampered token or timestamp, wrong key, no signature fields, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.mailgun)
        let good = SchemeFixture.secret(key)
        let other = SchemeFixture.secret("key-other")
        // mailgun-php's testVerifyWebhookBad token.
        #expect(
            scheme.verify(json(token: "owyldpe6nxhmrn78epljl6bj0orrki1u3d2v5e6cnlmmuox8jr"), credentials: [good], nowSeconds: now)
                == .invalid)
        #expect(scheme.verify(json(timestamp: "1403645221"), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(json(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.request(headers: [], body: #"{"event-data":{}}"#), credentials: [good], nowSeconds: now) == .missing
        )
        #expect(
            scheme.verify(SchemeFixture.request(headers: [], body: "event=delivered"), credentials: [good], nowSeconds: now) == .missing)
        #expect(scheme.verify(json(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(scheme.verify(json(), credentials: [other, good], nowSeconds: now) == .verified(signedKey: token))
    }

    @Test("Delivery id is event-data.id")
    func deliveryID() throws {
        let scheme = try SchemeFixture.scheme(.mailgun)
        #expect(scheme.deliveryID(json()) == "CPgfbmQMTCKtHW6uIWtuVe")
        #expect(scheme.deliveryID(form()) == nil)
    }
}
