import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("PaddleScheme")
struct PaddleSchemeTests {
    // Known answer. Source: github.com/PaddleHQ/paddle-python-sdk,
    // tests/Unit/Notification/test_Verifier.py
    // (test_validate_paddle_signature_header_integrity: the header with a
    // dummy h1 and a real one, body "hello-world", three secrets of which
    // the third matches).
    let header = "ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02"
    let body = "hello-world"
    let secrets = [
        "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_TjIG2BXbm83HPXqNfziwe506sBEdqL/4",
        "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_vB/yIOnTOCWIvpBadM5jzBZPHc7OmdSo",
        "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh",
    ]
    let now: Double = 1_696_195_954

    func request(_ header: String? = nil, body: String? = nil) -> InboundRequest {
        SchemeFixture.request(headers: [("Paddle-Signature", header ?? self.header)], body: body ?? self.body)
    }

    @Test("Known answer (paddle-python-sdk): several h1 entries; only the matching secret verifies")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.paddle)
        #expect(SchemeFixture.isVerified(scheme.verify(request(), credentials: [SchemeFixture.secret(secrets[2])], nowSeconds: now)))
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secrets[0])], nowSeconds: now) == .invalid)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secrets[1])], nowSeconds: now) == .invalid)
        // Rotation: the old secret listed second still verifies.
        #expect(
            SchemeFixture.isVerified(
                scheme.verify(
                    request(), credentials: [SchemeFixture.secret(secrets[0]), SchemeFixture.secret(secrets[2])], nowSeconds: now)))
    }

    @Test("Tampered body, missing header, no ts, stale timestamp")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.paddle)
        let good = SchemeFixture.secret(secrets[2])
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: now) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "Paddle-Signature"), credentials: [good], nowSeconds: now) == .missing)
        #expect(
            scheme.verify(
                request("h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02"), credentials: [good], nowSeconds: now)
                == .invalid)
        #expect(scheme.verify(request(), credentials: [good], nowSeconds: now + 301) == .outsideWindow)
    }

    @Test("event_id is the delivery id and the signed key")
    func eventID() throws {
        let scheme = try SchemeFixture.scheme(.paddle)
        let body = #"{"event_id":"evt_01hv8wptq8987qeep44cyrewp9","event_type":"transaction.paid","data":{}}"#
        let mac = SchemeFixture.hex(SchemeFixture.hmac(SHA256.self, key: secrets[2], "1696195954:" + body))
        let signed = request("ts=1696195954;h1=" + mac, body: body)
        #expect(
            scheme.verify(signed, credentials: [SchemeFixture.secret(secrets[2])], nowSeconds: now)
                == .verified(signedKey: "evt_01hv8wptq8987qeep44cyrewp9"))
        #expect(scheme.deliveryID(signed) == "evt_01hv8wptq8987qeep44cyrewp9")
    }
}
