import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("SendGridScheme")
struct SendGridSchemeTests {
    // Known answer. Source: github.com/sendgrid/sendgrid-python,
    // test/unit/test_eventwebhook.py (PUBLIC_KEY, SIGNATURE, TIMESTAMP and
    // PAYLOAD: json.dumps(events, sort_keys=True, separators=(',', ':')) + '\r\n').
    let publicKey =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
    let signature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
    let timestamp = "1600112502"
    let body =
        #"[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]"#
        + "\r\n"
    // sendgrid-python's test_verify_bad_key key.
    let otherKey =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA=="
    let now: Double = 1_600_112_502

    func request(timestamp: String? = nil) -> InboundRequest {
        SchemeFixture.request(
            headers: [
                ("X-Twilio-Email-Event-Webhook-Signature", signature),
                ("X-Twilio-Email-Event-Webhook-Timestamp", timestamp ?? self.timestamp),
            ], body: body)
    }

    @Test("Known answer (sendgrid-python): ECDSA P-256 over timestamp + body, the public key as SendGrid shows it")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.sendgrid)
        let outcome = scheme.verify(request(), credentials: [SchemeCredential(publicKey: publicKey)], nowSeconds: now)
        #expect(SchemeFixture.isVerified(outcome))
        let bodyHash = Array(SHA256.hash(data: Array(body.utf8)))
        #expect(outcome == .verified(signedKey: "sig:1600112502:" + SchemeFixture.hex(Array(bodyHash.prefix(16)))))
        #expect(scheme.defaultAccept == [.json, .jsonArray])
    }

    @Test("Tampered body, other key, changed timestamp, missing headers, stale timestamp, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.sendgrid)
        let good = SchemeCredential(publicKey: publicKey)
        let other = SchemeCredential(publicKey: otherKey)
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(timestamp: "1600112503"), credentials: [good], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(
                SchemeFixture.removing(request(), header: "X-Twilio-Email-Event-Webhook-Signature"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(
            scheme.verify(
                SchemeFixture.removing(request(), header: "X-Twilio-Email-Event-Webhook-Timestamp"), credentials: [good], nowSeconds: now)
                == .missing)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [other, good], nowSeconds: now)))
        // A secret is not a key.
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(publicKey)], nowSeconds: now) == .invalid)
    }

    @Test("A rewritten signature (s → n − s) is as valid, and keys the same execution")
    func malleability() throws {
        let scheme = try SchemeFixture.scheme(.sendgrid)
        let der = Array(Data(base64Encoded: signature) ?? Data())
        let raw = Array(try P256.Signing.ECDSASignature(derRepresentation: der).rawRepresentation)
        // The P-256 group order n, big-endian.
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        var negated = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in (0..<32).reversed() {
            var difference = Int(order[index]) - Int(raw[32 + index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            negated[index] = UInt8(difference)
        }
        let rewritten = try P256.Signing.ECDSASignature(rawRepresentation: Array(raw[0..<32]) + negated)
        let header = Data(rewritten.derRepresentation).base64EncodedString()
        #expect(header != signature)
        let original = scheme.verify(request(), credentials: [SchemeCredential(publicKey: publicKey)], nowSeconds: now)
        let replay = scheme.verify(
            SchemeFixture.replacing(request(), header: "X-Twilio-Email-Event-Webhook-Signature", with: header),
            credentials: [SchemeCredential(publicKey: publicKey)], nowSeconds: now)
        #expect(SchemeFixture.isVerified(original))
        #expect(replay == original)
    }

    @Test("The docs recipe: a key and signature made by openssl verify")
    func docsRecipe() throws {
        // docs/senders.md's SendGrid recipe, run once with TS=1700000000:
        //   openssl ecparam -name prime256v1 -genkey -noout -out sendgrid-test.pem
        //   openssl ec -in sendgrid-test.pem -pubout -outform DER | base64 | tr -d '\n'
        //   printf '%s' "$TS$BODY" | openssl dgst -sha256 -sign sendgrid-test.pem | base64 | tr -d '\n'
        let scheme = try SchemeFixture.scheme(.sendgrid)
        let key =
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExLN9yGIhGevunM/6Dx765pO0yyZIR4LlWm+UbkYGWFG/ikmvZHly8Ya02Vi/1EZwr7V9bNLKUafYaqIwi8IEEQ=="
        let request = SchemeFixture.request(
            headers: [
                ("X-Twilio-Email-Event-Webhook-Timestamp", "1700000000"),
                (
                    "X-Twilio-Email-Event-Webhook-Signature",
                    "MEQCIAeMm1I5jODUwJndUGyP9rsNSKGSz3JAi/hq2616ajcWAiB5+7JzCvBosQ+CTTBoctETkmEcVVNdgFy/mnt9C8RB9A=="
                ),
            ], body: #"[{"email":"a@example.com","event":"delivered","sg_event_id":"ev1","timestamp":1700000000}]"#)
        #expect(scheme.problem(with: SchemeCredential(publicKey: key)) == nil)
        #expect(
            SchemeFixture.isVerified(scheme.verify(request, credentials: [SchemeCredential(publicKey: key)], nowSeconds: 1_700_000_000)))
    }

    @Test("The credential must be a P-256 public key in base64 DER")
    func credential() throws {
        let scheme = try SchemeFixture.scheme(.sendgrid)
        #expect(scheme.problem(with: SchemeCredential(publicKey: publicKey)) == nil)
        #expect(scheme.problem(with: SchemeCredential()) == "public_key is required")
        #expect(scheme.problem(with: SchemeCredential(publicKey: "bm90IGEga2V5")) != nil)
        #expect(scheme.problem(with: SchemeFixture.secret("s")) == "public_key is required")
    }
}
