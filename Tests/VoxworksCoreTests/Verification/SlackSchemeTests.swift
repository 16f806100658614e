import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("SlackScheme")
struct SlackSchemeTests {
    // Known answer. Source: Slack's "Verifying requests from Slack"
    // (https://docs.slack.dev/authentication/verifying-requests-from-slack/),
    // the same values in github.com/slackapi/python-slack-sdk,
    // tests/slack_sdk/signature/test_signature_verifier.py.
    let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    let body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    let timestamp = "1531420618"
    let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    let now: Double = 1_531_420_618

    func request(body: String? = nil, signature: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", signature ?? self.signature)], body: body ?? self.body
        )
    }

    func signed(_ body: String, secret: String? = nil) -> InboundRequest {
        let mac = SchemeFixture.hex(SchemeFixture.hmac(SHA256.self, key: secret ?? self.secret, "v0:\(timestamp):" + body))
        return request(body: body, signature: "v0=" + mac)
    }

    @Test("Known answer (Slack docs / slack-sdk): a slash command form is keyed by its signed timestamp and MAC")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.slack)
        let outcome = scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: now)
        #expect(outcome == .verified(signedKey: "sig:1531420618:a2114d57b48eac39b9ad189dd8316235"))
        #expect(scheme.defaultAccept == [.json, .form])
    }

    @Test("Tampered body, wrong secret, missing headers, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.slack)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("0000000000000000000000000000000")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-Slack-Signature"), credentials: [good], nowSeconds: now) == .missing)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-Slack-Request-Timestamp"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: now)))
    }

    @Test("Events API: event_id is the delivery id and the signed key")
    func eventID() throws {
        let scheme = try SchemeFixture.scheme(.slack)
        let event = signed(#"{"type":"event_callback","event_id":"Ev08MFMKH6","event":{"type":"app_mention"}}"#)
        #expect(scheme.verify(event, credentials: [SchemeFixture.secret(secret)], nowSeconds: now) == .verified(signedKey: "Ev08MFMKH6"))
        #expect(scheme.deliveryID(event) == "Ev08MFMKH6")
    }

    @Test("Handshake: url_verification is answered with its challenge, JSON-escaped; other bodies are not handshakes")
    func handshake() throws {
        let scheme = try SchemeFixture.scheme(.slack)
        let challenge = signed(
            #"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#
        )
        #expect(SchemeFixture.isVerified(scheme.verify(challenge, credentials: [SchemeFixture.secret(secret)], nowSeconds: now)))
        let answer = scheme.signedHandshake(challenge, credentials: [SchemeFixture.secret(secret)])
        #expect(answer == .json(#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#))
        #expect(answer?.status == 200)
        let quoted = signed(#"{"type":"url_verification","challenge":"a\"b"}"#)
        #expect(scheme.signedHandshake(quoted, credentials: []) == .json(#"{"challenge":"a\"b"}"#))
        #expect(scheme.signedHandshake(request(), credentials: []) == nil)
        #expect(scheme.signedHandshake(signed(#"{"type":"event_callback"}"#), credentials: []) == nil)
        #expect(scheme.answersGET == false)
    }
}
