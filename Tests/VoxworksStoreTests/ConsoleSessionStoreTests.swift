import Foundation
import Testing
import VoxworksCore
import VoxworksStore
import VoxworksTestSupport

/// The console's sessions and samples, on every backend.
@Suite struct ConsoleSessionStoreTests {
    private func session(team: UUID, keyHash: String, now: Timestamp, token: String = SecretMaterial.webhookToken()) -> ConsoleSession {
        ConsoleSession(
            tokenHash: SecretMaterial.hash(token), teamID: team, apiKeyHash: keyHash, csrfToken: SecretMaterial.webhookToken(),
            createdAt: now, expiresAt: now.adding(seconds: 3600))
    }

    @Test(arguments: StoreKind.available)
    func aSessionLivesUntilItExpiresIsDeletedOrItsKeyIsRevoked(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        let now = Timestamp(millis: 1_800_000_000_000)
        let team = try await store.createTeam(name: "T", now: now)
        let keyHash = SecretMaterial.hash(SecretMaterial.apiKey())
        try await store.createAPIKey(teamID: team.id, keyHash: keyHash, label: "k", now: now)

        let first = session(team: team.id, keyHash: keyHash, now: now)
        try await store.createConsoleSession(first)
        #expect(try await store.consoleSession(tokenHash: first.tokenHash, now: now) == first)
        #expect(try await store.consoleSession(tokenHash: first.tokenHash, now: now.adding(seconds: 3599)) == first)
        #expect(try await store.consoleSession(tokenHash: first.tokenHash, now: now.adding(seconds: 3600)) == nil)
        #expect(try await store.consoleSession(tokenHash: SecretMaterial.hash("other"), now: now) == nil)

        let second = session(team: team.id, keyHash: keyHash, now: now)
        try await store.createConsoleSession(second)
        try await store.deleteConsoleSession(tokenHash: second.tokenHash)
        #expect(try await store.consoleSession(tokenHash: second.tokenHash, now: now) == nil)
        #expect(try await store.consoleSession(tokenHash: first.tokenHash, now: now) == first)

        // Creating a session later sweeps the expired ones.
        let later = now.adding(seconds: 7200)
        let third = session(team: team.id, keyHash: keyHash, now: later)
        try await store.createConsoleSession(third)
        #expect(try await store.consoleSession(tokenHash: first.tokenHash, now: now) == nil)

        // A session of an unknown key does not count; revoking the key ends its sessions.
        let orphan = session(team: team.id, keyHash: SecretMaterial.hash("vx_gone"), now: later)
        try await store.createConsoleSession(orphan)
        #expect(try await store.consoleSession(tokenHash: orphan.tokenHash, now: later) == nil)
        #expect(try await store.revokeAPIKey(keyHash: keyHash, now: later))
        #expect(try await store.revokeAPIKey(keyHash: keyHash, now: later) == false)
        #expect(try await store.consoleSession(tokenHash: third.tokenHash, now: later) == nil)
        #expect(try await store.teamID(forAPIKeyHash: keyHash) == nil)
    }

    @Test(arguments: StoreKind.available)
    func aSampleIsKeptOnlyForTheTeamsOwnAutomation(_ kind: StoreKind) async throws {
        let (store, _, _) = try await kind.makeStore()
        let now = Timestamp(millis: 1_800_000_000_000)
        let fixture = try await WebhookFixture.make(in: store, now: now)
        let (team, automation) = (fixture.team, fixture.automation)
        let other = try await store.createTeam(name: "U", now: now)
        #expect(try await store.saveSample(automationID: automation.id, teamID: other.id, body: Array("{}".utf8), receivedAt: now) == false)
        #expect(try await store.sample(automationID: automation.id, teamID: team.id) == nil)
        #expect(try await store.saveSample(automationID: automation.id, teamID: team.id, body: Array(#"{"a":1}"#.utf8), receivedAt: now))
        #expect(
            try await store.saveSample(
                automationID: automation.id, teamID: team.id, body: Array(#"{"b":2}"#.utf8), receivedAt: now.adding(seconds: 1)))
        let sample = try #require(try await store.sample(automationID: automation.id, teamID: team.id))
        #expect(sample.body == Array(#"{"b":2}"#.utf8))
        #expect(sample.receivedAt == now.adding(seconds: 1))
    }
}
