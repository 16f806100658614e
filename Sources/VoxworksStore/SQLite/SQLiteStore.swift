import GRDB
import VoxworksCore

import Foundation

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`,
/// so that a committed transaction survives power loss.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    let secretBox: SecretBox
    /// Found webhook routes for a moment; cleared by every change below.
    let routeCache = RouteCache()
    public let path: String
    /// The engine's writes, committed together (see `SQLiteWriteBatcher`).
    let engineWrites: SQLiteWriteBatcher
    /// Definitions parsed at claim time (see `ParsedDefinitionCache`).
    let definitions = ParsedDefinitionCache()
    /// This node's round-robin of claims and the team cap (see `FairClaimCursor`).
    public let fairness = FairClaimCursor()

    /// Opens (creating if needed) the database at `path` and applies migrations.
    public init(path: String, secretBox: SecretBox) throws {
        try PrivateFiles.createDirectory(of: path)
        try PrivateFiles.prepareDatabase(at: path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // The engine's writes each run in a savepoint, and SQLite keeps a
            // savepoint's undo pages in a temporary file, by default one created
            // and unlinked on disk per savepoint. They never outlive the
            // transaction: keep them in memory. Readers keep the default, so a
            // large sort still spills to disk.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
        }
        // CLI verbs (`keys create`) may write while the server runs.
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        pool = try DatabasePool(path: path, configuration: configuration)
        // FULL: the WAL is fsynced at every commit; a 202 promises durability.
        // Set here, not in prepareDatabase: DatabasePool's WAL setup runs after
        // prepareDatabase and sets the writer to NORMAL, which does not fsync
        // at commit (a power loss could take back answered webhooks). The
        // writer is the only connection that commits, and it is never reopened.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        engineWrites = SQLiteWriteBatcher(pool: pool)
        self.secretBox = secretBox
        self.path = path
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func close() throws {
        engineWrites.stop()
        try pool.close()
    }

    public func shutdown() async {
        engineWrites.stop()
        try? pool.close()
    }

    public func checkHealth() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Teams and keys

    public func createTeam(name: String, now: Timestamp) async throws -> Team {
        let team = Team(id: UUID.v7(now: now), name: name, createdAt: now)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [team.id.lowercased, team.name, team.createdAt.millis])
        }
        return team
    }

    public func createFirstTeam(name: String, now: Timestamp) async throws -> Team? {
        let team = Team(id: UUID.v7(now: now), name: name, createdAt: now)
        return try await pool.write { db in
            // One writer at a time: the check and the insert cannot interleave with another process's.
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM teams") == 0 else { return nil }
            try db.execute(
                sql: "INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [team.id.lowercased, team.name, team.createdAt.millis])
            return team
        }
    }

    public func teams() async throws -> [Team] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_at FROM teams ORDER BY created_at, id").compactMap { row in
                guard let id = UUID(canonical: row["id"]) else { return nil }
                return Team(id: id, name: row["name"], createdAt: Timestamp(millis: row["created_at"]))
            }
        }
    }

    public func createAPIKey(teamID: UUID, keyHash: String, label: String, now: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, team_id, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [UUID().lowercased, teamID.lowercased, keyHash, label, now.millis])
        }
    }

    public func teamID(forAPIKeyHash hash: String) async throws -> UUID? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT team_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", arguments: [hash])
                .flatMap(UUID.init(canonical:))
        }
    }

    // MARK: Automations

    private static let automationColumns = """
        a.id, a.team_id, a.name, a.enabled, a.definition, a.created_at, a.updated_at,
        w.id AS webhook_id, w.token, w.rate_per_second, w.rate_burst, w.verification, w.accept,
        EXISTS (SELECT 1 FROM webhook_secrets s WHERE s.webhook_id = w.id
                AND (s.expires_at IS NULL OR s.expires_at > :now)) AS signing
        FROM automations a JOIN webhooks w ON w.automation_id = a.id
        """

    private static func automation(from row: Row) throws -> Automation {
        guard let id = UUID(canonical: row["id"]), let teamID = UUID(canonical: row["team_id"]),
            let webhookID = UUID(canonical: row["webhook_id"])
        else { throw StoreError.corrupt(table: "automations", id: row["id"] ?? "?", detail: "id, team_id or webhook_id is not a UUID") }
        let definitionText: String? = row["definition"]
        guard let definition = try StoredJSON.parse(definitionText, table: "automations", id: id.lowercased, column: "definition") else {
            throw StoreError.corrupt(table: "automations", id: id.lowercased, detail: "definition is missing")
        }
        let signing: Bool = row["signing"]
        return Automation(
            id: id, teamID: teamID, name: row["name"], enabled: row["enabled"], definition: definition,
            createdAt: Timestamp(millis: row["created_at"]), updatedAt: Timestamp(millis: row["updated_at"]),
            webhook: Webhook(
                id: webhookID, token: row["token"],
                rateLimit: RateLimit(perSecond: row["rate_per_second"], burst: row["rate_burst"]),
                signing: signing,
                verification: StoredCredential.verification(stored: row["verification"], hasCredentials: signing),
                accept: BodyFormat.parseStored(row["accept"])))
    }

    func fetchAutomation(_ db: Database, id: UUID, teamID: UUID, now: Timestamp) throws -> Automation? {
        try Row.fetchOne(
            db, sql: "SELECT \(Self.automationColumns) WHERE a.id = :id AND a.team_id = :team AND a.deleted_at IS NULL",
            arguments: ["id": id.lowercased, "team": teamID.lowercased, "now": now.millis]
        ).map(Self.automation(from:))
    }

    public func createAutomation(_ new: NewAutomation, now: Timestamp) async throws -> Automation {
        let sealed = try new.signingKey.map { try secretBox.seal($0) }
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO automations (id, team_id, name, enabled, definition, concurrency, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.id.lowercased, new.teamID.lowercased, new.name, new.enabled, new.definition.serialized,
                    ConcurrencyLimit.explicit(new.definition), now.millis, now.millis,
                ])
            try db.execute(
                sql: """
                    INSERT INTO webhooks (id, automation_id, team_id, token, token_hash, rate_per_second, rate_burst, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.webhookID.lowercased, new.id.lowercased, new.teamID.lowercased, new.token,
                    SecretMaterial.hash(new.token), new.rateLimit.perSecond, new.rateLimit.burst, now.millis,
                ])
            if let sealed {
                try db.execute(
                    sql: "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [UUID().lowercased, new.webhookID.lowercased, Data(sealed), now.millis])
            }
            guard let automation = try self.fetchAutomation(db, id: new.id, teamID: new.teamID, now: now) else {
                throw StoreError.inconsistent("automation vanished after insert")
            }
            return automation
        }
    }

    public func automations(teamID: UUID, after: UUID?, limit: Int) async throws -> [Automation] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.automationColumns)
                    WHERE a.team_id = :team AND a.deleted_at IS NULL AND a.id > :after
                    ORDER BY a.id LIMIT :limit
                    """,
                arguments: ["team": teamID.lowercased, "after": after?.lowercased ?? "", "limit": limit, "now": Timestamp.now().millis]
            ).map(Self.automation(from:))
        }
    }

    public func allAutomations() async throws -> [Automation] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.automationColumns) WHERE a.deleted_at IS NULL ORDER BY a.created_at, a.id",
                arguments: ["now": Timestamp.now().millis]
            ).map(Self.automation(from:))
        }
    }

    public func storedDefinitions() async throws -> [(id: String, name: String, text: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, definition FROM automations WHERE deleted_at IS NULL ORDER BY created_at, id")
                .map { (id: $0["id"], name: $0["name"], text: $0["definition"] ?? "") }
        }
    }

    public func automation(id: UUID, teamID: UUID) async throws -> Automation? {
        try await pool.read { db in try self.fetchAutomation(db, id: id, teamID: teamID, now: .now()) }
    }

    public func updateAutomation(id: UUID, teamID: UUID, patch: AutomationPatch, now: Timestamp) async throws -> Automation? {
        defer { routeCache.invalidate() }
        return try await pool.write { db in
            guard try self.fetchAutomation(db, id: id, teamID: teamID, now: now) != nil else { return nil }
            let key = id.lowercased
            if let name = patch.name {
                try db.execute(sql: "UPDATE automations SET name = ? WHERE id = ?", arguments: [name, key])
            }
            if let enabled = patch.enabled {
                try db.execute(sql: "UPDATE automations SET enabled = ? WHERE id = ?", arguments: [enabled, key])
            }
            if let definition = patch.definition {
                try db.execute(
                    sql: "UPDATE automations SET definition = ?, concurrency = ? WHERE id = ?",
                    arguments: [definition.serialized, ConcurrencyLimit.explicit(definition), key])
            }
            if let limit = patch.rateLimit {
                try db.execute(
                    sql: "UPDATE webhooks SET rate_per_second = ?, rate_burst = ? WHERE automation_id = ?",
                    arguments: [limit.perSecond, limit.burst, key])
            }
            if patch.disableSigning {
                try db.execute(
                    sql: """
                        UPDATE webhook_secrets SET expires_at = :now
                        WHERE webhook_id = (SELECT id FROM webhooks WHERE automation_id = :id)
                          AND (expires_at IS NULL OR expires_at > :now)
                        """,
                    arguments: ["now": now.millis, "id": key])
                // Signing off is verification off, whatever the scheme.
                try db.execute(sql: "UPDATE webhooks SET verification = NULL WHERE automation_id = ?", arguments: [key])
            }
            try db.execute(sql: "UPDATE automations SET updated_at = ? WHERE id = ?", arguments: [now.millis, key])
            return try self.fetchAutomation(db, id: id, teamID: teamID, now: now)
        }
    }

    public func deleteAutomation(id: UUID, teamID: UUID, now: Timestamp) async throws -> Bool {
        defer { routeCache.invalidate() }
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE automations SET deleted_at = ?, enabled = 0 WHERE id = ? AND team_id = ? AND deleted_at IS NULL",
                arguments: [now.millis, id.lowercased, teamID.lowercased])
            return db.changesCount > 0
        }
    }

    public func rotateToken(automationID: UUID, teamID: UUID, newToken: String, now: Timestamp) async throws -> Automation? {
        defer { routeCache.invalidate() }
        return try await pool.write { db in
            guard try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now) != nil else { return nil }
            try db.execute(
                sql: "UPDATE webhooks SET token = ?, token_hash = ? WHERE automation_id = ?",
                arguments: [newToken, SecretMaterial.hash(newToken), automationID.lowercased])
            try db.execute(sql: "UPDATE automations SET updated_at = ? WHERE id = ?", arguments: [now.millis, automationID.lowercased])
            return try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now)
        }
    }

    public func rotateSigningSecret(automationID: UUID, teamID: UUID, newKey: [UInt8], graceUntil: Timestamp, now: Timestamp) async throws
        -> Automation?
    {
        defer { routeCache.invalidate() }
        let sealed = Data(try secretBox.seal(newKey))
        return try await pool.write { db in
            guard let automation = try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now) else { return nil }
            let webhook = automation.webhook.id.lowercased
            // Secrets already in a grace period end now, so at most two are ever active.
            try db.execute(
                sql: "UPDATE webhook_secrets SET expires_at = :now WHERE webhook_id = :w AND expires_at IS NOT NULL AND expires_at > :now",
                arguments: ["now": now.millis, "w": webhook])
            try db.execute(
                sql: "UPDATE webhook_secrets SET expires_at = :grace WHERE webhook_id = :w AND expires_at IS NULL",
                arguments: ["grace": graceUntil.millis, "w": webhook])
            try db.execute(
                sql: "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at) VALUES (?, ?, ?, ?)",
                arguments: [UUID().lowercased, webhook, sealed, now.millis])
            try db.execute(sql: "UPDATE automations SET updated_at = ? WHERE id = ?", arguments: [now.millis, automationID.lowercased])
            return try self.fetchAutomation(db, id: automationID, teamID: teamID, now: now)
        }
    }

    public func route(tokenHash: String, now: Timestamp) async throws -> WebhookRoute? {
        try await routeCache.route(tokenHash, now: now) { try await fetchRoute(tokenHash: tokenHash, now: now) }
    }

    /// The route, and when the first of its secrets in a grace period ends.
    private func fetchRoute(tokenHash: String, now: Timestamp) async throws -> (WebhookRoute, keysChangeAt: Timestamp?)? {
        struct Found: Sendable {
            var webhookID: String, automationID: String, teamID: String
            var perSecond: Double, burst: Int
            var verification: String?, accept: String?
            var sealedKeys: [(Data, Int)]
            var keysChangeAt: Int64?
        }
        let found: Found? = try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT w.id, w.automation_id, w.team_id, w.rate_per_second, w.rate_burst, w.verification, w.accept
                        FROM webhooks w JOIN automations a ON a.id = w.automation_id
                        WHERE w.token_hash = ? AND a.enabled = 1 AND a.deleted_at IS NULL
                        """,
                    arguments: [tokenHash])
            else { return nil }
            let webhookID: String = row["id"]
            let sealedKeys = try Row.fetchAll(
                db,
                sql: """
                    SELECT sealed_key, credential_format FROM webhook_secrets
                    WHERE webhook_id = ? AND (expires_at IS NULL OR expires_at > ?)
                    ORDER BY created_at DESC
                    """,
                arguments: [webhookID, now.millis]
            ).map { ($0["sealed_key"] as Data, $0["credential_format"] as Int) }
            let keysChangeAt = try Int64.fetchOne(
                db, sql: "SELECT MIN(expires_at) FROM webhook_secrets WHERE webhook_id = ? AND expires_at > ?",
                arguments: [webhookID, now.millis])
            return Found(
                webhookID: webhookID, automationID: row["automation_id"], teamID: row["team_id"],
                perSecond: row["rate_per_second"], burst: row["rate_burst"], verification: row["verification"], accept: row["accept"],
                sealedKeys: sealedKeys, keysChangeAt: keysChangeAt)
        }
        guard let found,
            let webhookID = UUID(canonical: found.webhookID),
            let automationID = UUID(canonical: found.automationID),
            let teamID = UUID(canonical: found.teamID)
        else { return nil }
        let opened = try found.sealedKeys.map { try StoredCredential.open(Array($0.0), format: $0.1, with: secretBox) }
        let route = StoredCredential.route(
            base: WebhookRoute(
                webhookID: webhookID, automationID: automationID, teamID: teamID,
                rateLimit: RateLimit(perSecond: found.perSecond, burst: found.burst), signingKeys: []),
            storedVerification: found.verification, storedAccept: found.accept, opened: opened)
        return (route, found.keysChangeAt.map(Timestamp.init(millis:)))
    }

    // MARK: Ingest

    public func commitIngest(_ batch: [IngestRequest]) async throws -> [IngestOutcome] {
        // Made before the writer is taken (the store's only one).
        let started = ContinuousClock.now
        let requestLogs = batch.map { $0.requestLogText(commitStarted: started) }
        return try await pool.write { db in
            var pendingByTeam: [UUID: Int] = [:]
            var latestByAutomation: [UUID: IngestRequest] = [:]
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(batch.count)
            let findKey = try db.cachedStatement(
                sql: "SELECT fingerprint, execution_id FROM idempotency_records WHERE webhook_id = ? AND key = ? AND expires_at > ?")
            let readPending = try db.cachedStatement(sql: "SELECT pending_count FROM teams WHERE id = ?")
            let insertExecution = try db.cachedStatement(
                sql: """
                    INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type,
                        idempotency_key, source_address, received_at, run_at, request_log)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
                    """)
            let rememberKey = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO idempotency_records (webhook_id, key, fingerprint, execution_id, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for (request, requestLog) in zip(batch, requestLogs) {
                let webhook = request.route.webhookID.lowercased
                if let key = request.idempotencyKey {
                    if let (fingerprint, executionID) = try findKey.firstRow(
                        [.text(webhook), .text(key), .int(request.receivedAt.millis)], { ($0.blob(0), $0.text(1)) })
                    {
                        if let original = executionID.flatMap(UUID.init(canonical:)), fingerprint == request.fingerprint ?? [] {
                            outcomes.append(.replayed(original))
                        } else {
                            outcomes.append(.conflict)
                        }
                        continue
                    }
                }
                let team = request.route.teamID
                let pending: Int
                if let known = pendingByTeam[team] {
                    pending = known
                } else {
                    pending = try readPending.firstRow([.text(team.lowercased)]) { Int($0.int(0)) } ?? 0
                }
                guard pending < request.backlogLimit else {
                    pendingByTeam[team] = pending
                    outcomes.append(.backlogFull)
                    continue
                }
                try insertExecution.run([
                    .text(request.executionID.lowercased), .text(team.lowercased), .text(request.route.automationID.lowercased),
                    .text(webhook), .blob(request.body), SQLiteValue(request.contentType), SQLiteValue(request.idempotencyKey),
                    SQLiteValue(request.sourceAddress), .int(request.receivedAt.millis), .int(request.receivedAt.millis),
                    SQLiteValue(requestLog),
                ])
                if AutomationSample.keeps(size: request.body.count) { latestByAutomation[request.route.automationID] = request }
                pendingByTeam[team] = pending + 1
                if let key = request.idempotencyKey {
                    try rememberKey.run([
                        .text(webhook), .text(key), .blob(request.fingerprint ?? []), .text(request.executionID.lowercased),
                        .int(request.receivedAt.adding(seconds: request.idempotencyTTL).millis),
                    ])
                }
                outcomes.append(.accepted(request.executionID))
            }
            // The last payload per automation (of a bounded size) is its sample (one write per automation per batch).
            for (automationID, request) in latestByAutomation {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO automation_samples (automation_id, body, received_at) VALUES (?, ?, ?)")
                    .run([.text(automationID.lowercased), .blob(request.body), .int(request.receivedAt.millis)])
            }
            return outcomes
        }
    }

    // MARK: Executions

    /// `execution(from:)` reads these by position: GRDB's lookup by name
    /// lowercases and hashes the name at every access, which showed on the
    /// engine's single writer. A query may select more columns after them.
    static let executionColumns = """
        id, team_id, automation_id, status, body, content_type, idempotency_key, source_address, received_at,
        attempt, started_at, finished_at, error, replay_of, steps_total, steps_completed, step_keys_from
        """
    /// The position of the first column after `executionColumns`.
    static let afterExecutionColumns = 17
    /// `executionColumns` with an empty body: a listing never loads payloads
    /// (up to 100 rows of the body cap each, for a page that shows none).
    static let listedExecutionColumns = executionColumns.replacingOccurrences(of: "status, body,", with: "status, X'' AS body,")

    static func execution(from row: some ColumnReading) throws -> Execution {
        guard let id = row.text(0).flatMap(UUID.init(canonical:)), let teamID = row.text(1).flatMap(UUID.init(canonical:)),
            let automationID = row.text(2).flatMap(UUID.init(canonical:)),
            let status = row.text(3).flatMap(ExecutionStatus.init(rawValue:))
        else { throw StoreError.corrupt(table: "executions", id: row.text(0) ?? "?", detail: "a UUID or the status is unreadable") }
        return Execution(
            id: id, teamID: teamID, automationID: automationID, status: status, body: row.blob(4),
            contentType: row.text(5), idempotencyKey: row.text(6), sourceAddress: row.text(7),
            receivedAt: Timestamp(millis: row.int(8)), attempt: Int(row.int(9)),
            startedAt: row.optionalInt(10).map(Timestamp.init(millis:)),
            finishedAt: row.optionalInt(11).map(Timestamp.init(millis:)),
            error: row.text(12), replayOf: row.text(13).flatMap(UUID.init(canonical:)),
            stepsTotal: Int(row.int(14)), stepsCompleted: Int(row.int(15)),
            stepKeysFrom: row.text(16).flatMap(UUID.init(canonical:)))
    }

    /// `execution(from:)` with `resolved_by` selected after `executionColumns`.
    static func resolvedExecution(from row: some ColumnReading) throws -> Execution {
        var execution = try execution(from: row)
        execution.resolvedBy = row.text(Int32(afterExecutionColumns)).flatMap(UUID.init(canonical:))
        return execution
    }

    public func execution(id: UUID, teamID: UUID) async throws -> Execution? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.executionColumns), resolved_by FROM executions WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased]
            ).map(Self.resolvedExecution(from:))
        }
    }

    public func executions(teamID: UUID, query: ExecutionQuery) async throws -> [Execution] {
        guard !query.needsScan else {
            // Bodies only when a payload field is tested (see `ExecutionScan`).
            let columns = query.payloadField == nil ? Self.listedExecutionColumns : Self.executionColumns
            return try await ExecutionScan.run(query) { before, count in
                var chunk = query
                chunk.before = before
                chunk.limit = count
                return try await executions(teamID: teamID, query: chunk, columns: columns)
            }
        }
        return try await executions(teamID: teamID, query: query, columns: Self.listedExecutionColumns)
    }

    private func executions(teamID: UUID, query: ExecutionQuery, columns: String) async throws -> [Execution] {
        var filter = SQLFilter("team_id = :team", ["team": teamID.lowercased, "limit": query.limit])
        filter.add("automation_id = :automation", "automation", query.automationID?.lowercased)
        filter.add("status = :status", "status", query.status?.rawValue)
        filter.add("received_at >= :after", "after", query.createdAfter?.millis)
        filter.add("received_at < :before", "before", query.createdBefore?.millis)
        filter.add("idempotency_key = :idempotency_key", "idempotency_key", query.idempotencyKey)
        filter.add("id < :cursor", "cursor", query.before?.lowercased)
        let sql = "SELECT \(columns), resolved_by FROM executions WHERE \(filter.clause) ORDER BY id DESC LIMIT :limit"
        let arguments = filter.statementArguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.resolvedExecution(from:))
        }
    }

    // MARK: Maintenance

    public func deleteExpiredIdempotencyRecords(now: Timestamp, limit: Int) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM idempotency_records WHERE (webhook_id, key) IN
                        (SELECT webhook_id, key FROM idempotency_records WHERE expires_at <= ? LIMIT ?)
                    """,
                arguments: [now.millis, limit])
            return db.changesCount
        }
    }
}
