import Testing

@testable import VoxworksCore

@Suite("TwitchScheme")
struct TwitchSchemeTests {
    let scheme = TwitchScheme()
    /// The secret of twitch-cli's own test (twitchdev/twitch-cli,
    /// internal/events/trigger/forward_event_test.go).
    let secret = "potaytoes"
    let id = "e76c6bd4-55c9-4987-8304-da1588d8988b"
    let timestamp = "2019-11-16T10:11:12.634234626Z"
    /// Unix seconds of `timestamp`.
    let sent: Double = 1_573_899_072.634
    /// The verification request example of Twitch's docs
    /// (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#responding-to-a-challenge-request).
    let body =
        #"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2","cost":1,"condition":{"broadcaster_user_id":"12826","moderator_user_id":"12826"},"transport":{"method":"webhook","callback":"https://example.com/webhooks/callback"},"created_at":"2019-11-16T10:11:12.634234626Z"}}"#

    private func request(signature: String, body: String? = nil, type: String = "webhook_callback_verification") -> InboundRequest {
        SchemeTestKit.post(
            [
                "Twitch-Eventsub-Message-Id": id, "Twitch-Eventsub-Message-Timestamp": timestamp,
                "Twitch-Eventsub-Message-Signature": signature, "Twitch-Eventsub-Message-Type": type,
            ], body: body ?? self.body)
    }

    private func sign(_ body: String, key: String) -> String {
        "sha256=" + SchemeTestKit.hex(SchemeTestKit.hmacSHA256(id + timestamp + body, key: key))
    }

    /// Twitch documents the algorithm (HMAC-SHA256 of id + timestamp + body,
    /// `sha256=<hex>`) but no vector; generated with Python's hmac:
    /// `'sha256=' + hmac.new(b'potaytoes', id + ts + body, sha256).hexdigest()`.
    @Test func knownAnswer() {
        let request = request(signature: "sha256=04693c3dbad440c1a1c5128575845ef04b4a455a99de2a54e966a4bb3823ef4c")
        #expect(scheme.verify(request, credentials: [SchemeTestKit.secret(secret)], nowSeconds: sent + 1) == .verified(signedKey: id))
    }

    @Test func tamperedBodyWrongSecretAndMissingHeadersAreRefused() {
        let credentials = [SchemeTestKit.secret(secret)]
        #expect(
            scheme.verify(
                request(signature: sign(body, key: secret), body: SchemeTestKit.tampered(body)), credentials: credentials, nowSeconds: sent)
                == .invalid)
        #expect(scheme.verify(request(signature: sign(body, key: "tomahtoes")), credentials: credentials, nowSeconds: sent) == .invalid)
        var noID = request(signature: sign(body, key: secret))
        noID.headers.removeAll { $0.name == "twitch-eventsub-message-id" }
        #expect(scheme.verify(noID, credentials: credentials, nowSeconds: sent) == .missing)
        #expect(scheme.verify(SchemeTestKit.post([:], body: body), credentials: credentials, nowSeconds: sent) == .missing)
    }

    @Test func tenMinuteWindowByDefaultAndTheConfiguredOneOtherwise() {
        let credentials = [SchemeTestKit.secret(secret)]
        let valid = request(signature: sign(body, key: secret))
        #expect(scheme.verify(valid, credentials: credentials, nowSeconds: sent + 599) == .verified(signedKey: id))
        #expect(scheme.verify(valid, credentials: credentials, nowSeconds: sent + 601) == .outsideWindow)
        #expect(TwitchScheme(tolerance: 300).verify(valid, credentials: credentials, nowSeconds: sent + 301) == .outsideWindow)
        #expect(scheme.verify(request(signature: sign(body, key: "x")), credentials: credentials, nowSeconds: sent + 10_000) == .invalid)
        // The catalog gives Twitch its own default.
        let fromCatalog = try? SchemeCatalog.scheme(.twitch, settings: VerificationSettings())
        #expect(fromCatalog?.verify(valid, credentials: credentials, nowSeconds: sent + 599) == .verified(signedKey: id))
    }

    @Test func rotationAcceptsTheOldSecretListedSecond() {
        let credentials = [SchemeTestKit.secret("a-new-secret-value"), SchemeTestKit.secret(secret)]
        #expect(
            scheme.verify(request(signature: sign(body, key: secret)), credentials: credentials, nowSeconds: sent)
                == .verified(signedKey: id))
    }

    @Test func hostileHeadersAreInvalid() {
        for value in SchemeTestKit.hostileValues {
            #expect(scheme.verify(request(signature: value), credentials: [SchemeTestKit.secret(secret)], nowSeconds: sent) == .invalid)
        }
    }

    @Test func verificationIsAnsweredWithTheChallenge() {
        let valid = request(signature: sign(body, key: secret))
        #expect(scheme.signedHandshake(valid, credentials: []) == .text("pogchamp-kappa-360noscope-vohiyo"))
        #expect(scheme.signedHandshake(request(signature: "", type: "notification"), credentials: []) == nil)
        #expect(scheme.deliveryID(valid) == id)
    }

    @Test func problemChecksTwitchsSecretRules() {
        #expect(scheme.problem(with: SchemeTestKit.secret("potaytoes")) == "secret must be 10 to 100 ASCII characters, as Twitch requires")
        #expect(scheme.problem(with: SchemeTestKit.secret("potaytoes-and-more")) == nil)
        #expect(scheme.problem(with: SchemeCredential()) == "secret is required")
    }
}
