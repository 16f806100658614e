import Testing

@testable import VoxworksCore

@Suite("MicrosoftGraphScheme")
struct MicrosoftGraphSchemeTests {
    let scheme = MicrosoftGraphScheme()
    /// Known answer: the change notification example of Microsoft's docs
    /// (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks#change-notification-example)
    /// with its `clientState` "secretClientValue".
    let body =
        ##"{"value":[{"id":"lsgTZMr9KwAAA","subscriptionId":"{subscription_guid}","subscriptionExpirationDateTime":"2016-03-19T22:11:09.952Z","clientState":"secretClientValue","changeType":"created","resource":"users/{user_guid}@{tenant_guid}/messages/{long_id_string}","tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","resourceData":{"@odata.type":"#Microsoft.Graph.Message","@odata.id":"Users/{user_guid}@{tenant_guid}/Messages/{long_id_string}","@odata.etag":"W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"","id":"{long_id_string}"}}]}"##
    let credentials = [SchemeCredential(secret: "secretClientValue")]

    @Test func knownAnswer() {
        #expect(
            scheme.verify(SchemeTestKit.post([:], body: body), credentials: credentials, nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
        #expect(scheme.deliveryID(SchemeTestKit.post([:], body: body)) == nil)
    }

    @Test func everyItemMustCarryAnActiveClientState() {
        let now = SchemeTestKit.now
        let wrong = body.replacingOccurrences(of: "secretClientValue", with: "guessedValue")
        #expect(scheme.verify(SchemeTestKit.post([:], body: wrong), credentials: credentials, nowSeconds: now) == .invalid)
        // One good item does not carry a forged one.
        let mixed = #"{"value":[{"clientState":"secretClientValue"},{"clientState":"forged"}]}"#
        #expect(scheme.verify(SchemeTestKit.post([:], body: mixed), credentials: credentials, nowSeconds: now) == .invalid)
        let unstated = #"{"value":[{"clientState":"secretClientValue"},{"changeType":"updated"}]}"#
        #expect(scheme.verify(SchemeTestKit.post([:], body: unstated), credentials: credentials, nowSeconds: now) == .missing)
        for hostile in ["", "not json", "[]", #"{"value":[]}"#, #"{"value":"x"}"#, #"{"value":[1,2]}"#] {
            #expect(scheme.verify(SchemeTestKit.post([:], body: hostile), credentials: credentials, nowSeconds: now) == .missing)
        }
        #expect(scheme.verify(SchemeTestKit.post([:], body: body), credentials: [], nowSeconds: now) == .invalid)
    }

    @Test func rotationAcceptsEitherActiveClientState() {
        let rotated = [SchemeCredential(secret: "newClientValue"), SchemeCredential(secret: "secretClientValue")]
        #expect(
            scheme.verify(SchemeTestKit.post([:], body: body), credentials: rotated, nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
        // Items sent across the switch may carry either value.
        let both = #"{"value":[{"clientState":"secretClientValue"},{"clientState":"newClientValue"}]}"#
        #expect(
            scheme.verify(SchemeTestKit.post([:], body: both), credentials: rotated, nowSeconds: SchemeTestKit.now)
                == .verified(signedKey: nil))
    }

    @Test func validationTokenIsEchoedAsPlainText() {
        let validation = SchemeTestKit.post(
            [:], body: "",
            query: ["validationToken": "Validation: Testing client application reachability for subscription Request-Id: 8d0c0f36"])
        #expect(
            scheme.unsignedHandshake(validation, credentials: credentials)
                == .answer(.text("Validation: Testing client application reachability for subscription Request-Id: 8d0c0f36")))
        #expect(scheme.unsignedHandshake(SchemeTestKit.post([:], body: body), credentials: credentials) == nil)
        #expect(
            scheme.problem(with: SchemeCredential(secret: String(repeating: "a", count: 129)))
                == "secret must be at most 128 characters (Graph's clientState limit)")
        #expect(scheme.problem(with: credentials[0]) == nil)
    }
}
