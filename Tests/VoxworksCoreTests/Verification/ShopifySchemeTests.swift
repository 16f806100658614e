import Crypto
import Foundation
import Testing

@testable import VoxworksCore

@Suite("ShopifyScheme")
struct ShopifySchemeTests {
    // Known answer. Source: github.com/Shopify/shopify-app-js,
    // packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts
    // ("returns true for valid request": rawBody '{"foo": "bar"}', hmac
    // 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=', webhookId '123456789')
    // with apiSecretKey 'test_secret_key' from lib/__tests__/test-config.ts.
    let secret = "test_secret_key"
    let body = #"{"foo": "bar"}"#
    let hmac = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="

    func request(_ hmac: String? = nil) -> InboundRequest {
        SchemeFixture.request(headers: [("X-Shopify-Hmac-Sha256", hmac ?? self.hmac), ("X-Shopify-Webhook-Id", "123456789")], body: body)
    }

    @Test("Known answer (shopify-api test vector)")
    func knownAnswer() throws {
        let scheme = try SchemeFixture.scheme(.shopify)
        #expect(scheme.verify(request(), credentials: [SchemeFixture.secret(secret)], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Tampered body, wrong secret, missing header, hex instead of base64, rotation")
    func refusals() throws {
        let scheme = try SchemeFixture.scheme(.shopify)
        let good = SchemeFixture.secret(secret)
        let other = SchemeFixture.secret("other_secret")
        #expect(scheme.verify(SchemeFixture.tampered(request()), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other], nowSeconds: 0) == .invalid)
        #expect(
            scheme.verify(SchemeFixture.removing(request(), header: "X-Shopify-Hmac-Sha256"), credentials: [good], nowSeconds: 0)
                == .missing)
        let hex = SchemeFixture.hex(Array(Data(base64Encoded: hmac) ?? Data()))
        #expect(scheme.verify(request(hex), credentials: [good], nowSeconds: 0) == .invalid)
        #expect(scheme.verify(request(), credentials: [other, good], nowSeconds: 0) == .verified(signedKey: nil))
    }

    @Test("Delivery id is X-Shopify-Webhook-Id")
    func deliveryID() throws {
        #expect(try SchemeFixture.scheme(.shopify).deliveryID(request()) == "123456789")
    }
}
