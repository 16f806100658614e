import Crypto
import VoxworksCore

import Foundation

/// Test Webhook signs its request the way the webhook's sender would, for
/// the schemes whose signature the service can make from the credential it
/// holds. The request then goes through the real scheme's verification, so
/// a signer that drifted from its scheme shows up as a `401` in the tests.
/// Asymmetric schemes (the service holds only a public key) and those whose
/// signature covers what a console request does not have cannot be signed.
enum ConsoleTestSigner {
    /// Whether Test Webhook can sign for this scheme (the page says so when it cannot).
    static func canSign(_ verification: WebhookVerification) -> Bool {
        switch verification.scheme {
        case .voxworks, .standardWebhooks, .stripe, .github, .shopify, .slack, .gitlab: true
        case .basicAuth: verification.settings.username != nil
        case .headerToken: verification.settings.header != nil
        default: false
        }
    }

    /// The headers to add, or nil when this scheme cannot be signed here.
    static func headers(
        for verification: WebhookVerification, credential: SchemeCredential?, body: [UInt8], url: String, now: Timestamp
    ) -> [(name: String, value: String)]? {
        let seconds = String(Int(now.seconds))
        let id = "console-test-" + UUID().lowercased
        let secret = credential?.secret ?? ""
        switch verification.scheme {
        case .voxworks:
            guard let key = SecretMaterial.signingKey(fromDisplay: secret) else { return nil }
            return [("x-webhook-signature", "sha256=" + SignatureVerifier.sign(body: body, key: key))]
        case .standardWebhooks:
            guard let key = SecretMaterial.signingKey(fromDisplay: secret) else { return nil }
            return [
                ("webhook-id", id), ("webhook-timestamp", seconds),
                ("webhook-signature", SignatureVerifier.signStandard(id: id, timestamp: Int(seconds) ?? 0, body: body, key: key)),
            ]
        case .stripe:
            let mac = hex(HMAC<SHA256>.self, key: secret, Array("\(seconds).".utf8) + body)
            return [("stripe-signature", "t=\(seconds),v1=\(mac)")]
        case .github:
            return [
                ("x-hub-signature-256", "sha256=" + hex(HMAC<SHA256>.self, key: secret, body)), ("x-github-delivery", id),
                ("x-github-event", "ping"),
            ]
        case .shopify:
            return [("x-shopify-hmac-sha256", base64(HMAC<SHA256>.self, key: secret, body)), ("x-shopify-webhook-id", id)]
        case .slack:
            let mac = hex(HMAC<SHA256>.self, key: secret, Array("v0:\(seconds):".utf8) + body)
            return [("x-slack-signature", "v0=" + mac), ("x-slack-request-timestamp", seconds)]
        case .gitlab:
            return [("x-gitlab-token", secret), ("x-gitlab-event-uuid", id)]
        case .basicAuth:
            guard let username = verification.settings.username, let password = credential?.password else { return nil }
            return [("authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())]
        case .headerToken:
            guard let header = verification.settings.header, let value = credential?.value else { return nil }
            return [(header.lowercased(), value)]
        default:
            return nil
        }
    }

    private static func hex<H: HashFunction>(_: HMAC<H>.Type, key: String, _ data: [UInt8]) -> String {
        SecretMaterial.hex(HMAC<H>.authenticationCode(for: data, using: SymmetricKey(data: Array(key.utf8))))
    }

    private static func base64<H: HashFunction>(_: HMAC<H>.Type, key: String, _ data: [UInt8]) -> String {
        Data(HMAC<H>.authenticationCode(for: data, using: SymmetricKey(data: Array(key.utf8)))).base64EncodedString()
    }
}
