import Foundation
import Logging
import PostgresNIO
import Testing
@testable import VoxworksStore
import VoxworksCore
import VoxworksTestSupport

/// The statements prepared once per connection are built again, with real
/// values, at every run; only the values may differ from the template the
/// connection prepared. A text that changed with the values would run
/// unprepared (and parsed and planned again), and values bound in another
/// number or order than the template's placeholders would be refused by
/// the server, so each is checked here with values unlike the template's.
@Suite struct PostgresStatementTests {
    private let id = UUID()
    private let now = Timestamp(millis: 1_700_000_000_000)

    private var lines: StepLogWrite {
        StepLogWrite(
            records: [
                StepRecord(
                    stepID: "map", position: 0, type: "transform", status: .completed, startedAt: now, finishedAt: now,
                    attempts: 1, input: .object(["a": .int(1)]), output: .object(["b": .string("c")])),
                StepRecord(stepID: "call", position: 1, type: "http_request", status: .failed, error: "timed out"),
            ],
            context: ["trigger": .object(["phone": .string("+15550100")])], stepsCompleted: 1)
    }

    @Test func aTurnsWritesKeepTheirTemplatesTextWhateverTheOutcome() throws {
        let outcomes: [ExecutionOutcome] = [
            .completed, .failed("bad"), .deadLetter("gone"), .retry(error: "503", runAt: now), .wait(.delay, until: now),
            .wait(.call, until: nil),
            .deferred(.destination, until: now),
        ]
        for outcome in outcomes {
            for steps in [lines, nil] {
                let finish = PostgresStore.Finish(outcome, now: now)
                try check(
                    PostgresStore.stepWrite(executionID: id, worker: "node-7", lines: PostgresStepLines(steps), finishing: finish),
                    as: PostgresStore.StepWrite.self)
                try check(
                    PostgresStore.finishTurnAndClaim(
                        executionID: id, worker: "node-7", lines: PostgresStepLines(steps), finish: finish, now: now, leaseUntil: now,
                        afterTeam: id.lowercased, teamCap: 128),
                    as: PostgresStore.FinishTurnAndClaim.self)
            }
        }
        try check(PostgresStore.stepWrite(executionID: id, worker: "w", lines: PostgresStepLines(lines)), as: PostgresStore.StepWrite.self)
        try check(
            PostgresStore.claim(worker: "node-7", now: now, leaseUntil: now, afterTeam: nil, teamCap: 128), as: PostgresStore.Claim.self)
        try check(
            PostgresStore.claim(worker: "node-7", now: now, leaseUntil: now, afterTeam: id.lowercased, teamCap: 7),
            as: PostgresStore.Claim.self)
    }

    @Test func theContactUpsertKeepsItsTemplatesTextWithAndWithoutLeadingLines() throws {
        let full = ContactFields(
            phoneNumber: "+15550100", firstName: "Ada", lastName: "L", email: "ada@example.com", title: "CTO",
            address: "1 Main St", location: "Boston")
        for fields in [full, ContactFields(phoneNumber: "+15550100")] {
            try check(PostgresStore.contactUpsert(teamID: id, fields: fields, now: now, log: nil), as: PostgresStore.ContactUpsert.self)
            try check(
                PostgresStore.contactUpsert(
                    teamID: id, fields: fields, now: now, log: LeadingStepLog(executionID: id, worker: "w", lines: lines)),
                as: PostgresStore.ContactUpsertAfterLines.self)
        }
    }

    @Test func theIngestBatchAndTheRateLimitDecisionKeepTheirTemplatesText() throws {
        let route = WebhookRoute(
            webhookID: id, automationID: id, teamID: id, rateLimit: RateLimit(perSecond: 10, burst: 20), signingKeys: [])
        let request = IngestRequest(
            executionID: id, route: route, body: Array("{}".utf8), contentType: "application/json", idempotencyKey: "k-1",
            fingerprint: [1, 2, 3], sourceAddress: "127.0.0.1", receivedAt: now, backlogLimit: 10, idempotencyTTL: 86_400)
        try check(PostgresStore.IngestBatch.statement([request, request], ttl: 86_400_000), as: PostgresStore.IngestBatch.self)
        try check(
            PostgresRateLimiter.Acquire.statement(
                keys: ["a", "b"], nows: [1, 2], intervals: [0.1, 0.1], tolerances: [1, 1], after: [0, 1]),
            as: PostgresRateLimiter.Acquire.self)
    }

    @Test func everyStatementHasANameOfItsOwn() {
        let names = [
            PostgresStore.Claim.name, PostgresStore.StepWrite.name, PostgresStore.FinishTurnAndClaim.name, PostgresStore.ContactUpsert.name,
            PostgresStore.ContactUpsertAfterLines.name, PostgresStore.IngestBatch.name, PostgresRateLimiter.Acquire.name,
        ]
        // Two kinds under one name would run one's text with the other's values.
        #expect(Set(names).count == names.count)
    }

    /// A connection would otherwise keep the broken statement (the server
    /// answers every run with `cached plan must not change result type`)
    /// until it closes: after the first failure the statement is prepared
    /// again under a new name.
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func aStatementBrokenByAMigrationIsPreparedAgain() async throws {
        let url = try await PostgresTestDatabase.newSchemaURL()
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        let opened = try await StoreKind.postgres.open(directory: FileManager.default.temporaryDirectory, secretBox: box, postgresURL: url)
        let store = try #require(opened.store as? PostgresStore)
        try await store.closing { try await checkRepreparation(store) }
    }

    private func checkRepreparation(_ store: PostgresStore) async throws {
        let team = try await store.createTeam(name: "T", now: now)
        func upsert(_ number: Int) async throws -> Contact {
            try await store.upsertContact(
                teamID: team.id, matchOnEmail: false, fields: ContactFields(phoneNumber: "+1555010\(number)", firstName: "Ada"),
                now: .now(), log: nil
            ).contact
        }
        _ = try await upsert(0)
        // As a migration run by another node might: a column the statement returns changes type.
        try await store.client.query("ALTER TABLE contacts ALTER COLUMN title TYPE VARCHAR(500)", logger: Logger(label: "test"))
        var failures = 0
        for number in 1...4 {
            do { _ = try await upsert(number) } catch { failures += 1 }
        }
        #expect(failures <= 1, "the statement was prepared again after its first failure")
        #expect(try await upsert(5).phoneNumber == "+15550105")
    }

    /// Same text as the template, and one bound value for each of its placeholders `$1`…`$n`.
    private func check<Text: PostgresPreparedText>(
        _ statement: PostgresStatement, as text: Text.Type, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(statement.sql == Text.template.sql, "\(Text.name)'s text changed with its values", sourceLocation: sourceLocation)
        let placeholders = Set(statement.sql.matches(of: try Regex(#"\$[0-9]+"#)).compactMap { Int(statement.sql[$0.range].dropFirst()) })
        #expect(
            placeholders == Set(1...max(1, statement.bindings.count)), "\(Text.name) binds \(statement.bindings.count) values",
            sourceLocation: sourceLocation)
        #expect(Text.name.utf8.count < 64, "PostgreSQL cuts names at 63 bytes", sourceLocation: sourceLocation)
    }
}
