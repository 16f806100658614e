import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import VoxworksCore
import VoxworksRuntime

/// The shared store for several nodes: PostgreSQL through postgres-nio's
/// pooled `PostgresClient`, plain SQL, the same behaviour as `SQLiteStore`.
/// Commits are durable with `synchronous_commit=on` (set per session).
public final class PostgresStore: Store {
    let client: PostgresClient
    let secretBox: SecretBox
    /// Found webhook routes for a moment; cleared by every change below.
    let routeCache = RouteCache()
    /// Pinned definitions as claims parse them, by their text.
    let definitions = ParsedDefinitionCache()
    /// This node's round-robin of claims and the team cap (see `FairClaimCursor`).
    public let fairness = FairClaimCursor()
    let logger: Logger
    /// For `PostgresRateLimiter` only: sessions with `synchronous_commit=off`.
    let limiterClient: PostgresClient
    /// For the workers' claims, step writes and upserts: a pool of their own,
    /// so that a node's workers (64 of them in the benchmark's end-to-end
    /// figure) cannot take every connection from the webhooks being
    /// answered. With one pool, ingest beside 64 busy workers fell to about
    /// a tenth of its rate.
    let engineClient: PostgresClient
    /// The pools' `run()` when `connect` started them itself (see there).
    private let ownRun = LockedBox<Task<Void, Never>?>(nil)

    /// The store's three connection pools, as ServiceLifecycle services:
    /// nothing runs until they do. The commands run them in a
    /// `ServiceScope` around everything that uses the store, so they
    /// start first and stop last; nothing here starts a task of its own.
    public var clientServices: [any Service] { [client, limiterClient, engineClient] }

    /// Builds the store and its pools without connecting: queries wait
    /// until `clientServices` run. Call `migrate()` once they do.
    /// `url`: `postgres://user[:password]@host[:port]/database[?sslmode=disable|require][&search_path=schema]`.
    public static func open(url: String, secretBox: SecretBox, logger: Logger, maximumConnections: Int = 20) throws -> PostgresStore {
        let configuration = try Self.configuration(url: url, maximumConnections: maximumConnections)
        // Rate-limit state needs no fsync before the answer: a crash loses a
        // few milliseconds of it, which can only let a few requests more
        // through. Its own pool commits asynchronously, so the hot limiter
        // rows are held for microseconds, not for a WAL flush each.
        var limiterConfiguration = configuration
        limiterConfiguration.options.maximumConnections = max(2, maximumConnections / 2)
        limiterConfiguration.options.additionalStartupParameters = configuration.options.additionalStartupParameters.map {
            $0.0 == "synchronous_commit" ? ("synchronous_commit", "off") : $0
        }
        // The engine's statements on a few connections: a node keeps up to
        // VOXWORKS_WORKERS executions in flight, and every extra concurrent
        // engine transaction contends with the others (advisory locks of the
        // fair claim, the WAL) and with the webhooks' commits. Measured on 2
        // vCPUs (benchmarks/quick-ingest and quick-drain, PostgreSQL, three
        // steps, 256 in flight): 20 connections gave ingest 2,050/s and drain
        // 1,193/s; 5–6 gave 2,800–2,960/s and 1,020–1,320/s; 3 gave
        // 5,410/s but drain 877/s.
        var engineConfiguration = configuration
        engineConfiguration.options.maximumConnections = max(2, maximumConnections / 4)
        return PostgresStore(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger),
            limiterClient: PostgresClient(configuration: limiterConfiguration, backgroundLogger: logger),
            engineClient: PostgresClient(configuration: engineConfiguration, backgroundLogger: logger),
            secretBox: secretBox, logger: logger)
    }

    /// Applies the migrations not yet applied (under an advisory lock, so
    /// nodes starting together apply each once). The pools must be running.
    /// With `requireSchema`, a database without the service's tables is
    /// refused (`PostgresStoreError.noSchema`) instead of migrated: the
    /// operators' verbs must not turn a mistyped URL into a new store.
    public func migrate(requireSchema: Bool = false) async throws {
        if requireSchema {
            let rows = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            var exists = false
            for try await found in rows.decode(Bool.self) { exists = found }
            guard exists else { throw PostgresStoreError.noSchema }
        }
        try await PostgresMigrations.migrate(client, logger: logger)
    }

    /// For a caller that holds a store outside any service scope (tests,
    /// and tools that open a store for a moment): opens it, runs its pools
    /// in a scope of their own until `shutdown()`, and migrates.
    public static func connect(url: String, secretBox: SecretBox, logger: Logger, maximumConnections: Int = 20) async throws
        -> PostgresStore
    {
        let store = try open(url: url, secretBox: secretBox, logger: logger, maximumConnections: maximumConnections)
        let services = store.clientServices
        store.ownRun.withLock { $0 = Task { await ServiceScope.runUntilCancelled(services) } }
        do {
            try await store.migrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    private init(client: PostgresClient, limiterClient: PostgresClient, engineClient: PostgresClient, secretBox: SecretBox, logger: Logger)
    {
        self.client = client
        self.limiterClient = limiterClient
        self.engineClient = engineClient
        self.secretBox = secretBox
        self.logger = logger
    }

    /// Stops the pools if `connect` runs them; a scope's pools stop with their scope.
    public func close() {
        ownRun.withLock { $0?.cancel() }
    }

    public func shutdown() async {
        close()
    }

    static func configuration(url: String, maximumConnections: Int) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else { throw PostgresStoreError.invalidURL }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = host == "127.0.0.1" || host == "localhost" || host == "::1" ? .disable : .prefer(.makeClientConfiguration())
        }
        let database = components.path.split(separator: "/").first.map(String.init)
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        // The pool arms two timers each time a connection goes back to it
        // idle (a keep-alive query after 30 s, a close after 60 s) and
        // cancels them at the next lease; on Linux a cancelled `Task.sleep`
        // keeps its memory until its deadline would have passed. At a few
        // thousand leases a second (ingest and rate-limit batches) that held
        // about 1 MB more every second for 90 s: the server grew by some
        // 90 MB under load. Idle connections now close after 10 s, which
        // bounds that to a ninth, and so never live long enough for a
        // keep-alive query (a dead connection fails its next query and is
        // replaced; the batch deadlines bound one that hangs).
        configuration.options.connectionIdleTimeout = .seconds(10)
        configuration.options.keepAliveBehavior = nil
        // A 202 promises durability whatever the server's default is.
        configuration.options.additionalStartupParameters = [
            ("synchronous_commit", "on"),
            // A transaction whose client stopped talking (a node that hung or
            // lost its connection mid-commit) must not hold its row locks,
            // such as the team's pending counter, and block every other node.
            ("idle_in_transaction_session_timeout", "30s"),
        ]
        if let schema = query["search_path"], !schema.isEmpty {
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        return configuration
    }

    public func checkHealth() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    // MARK: Teams and keys

    public func createTeam(name: String, now: Timestamp) async throws -> Team {
        let team = Team(id: UUID.v7(now: now), name: name, createdAt: now)
        try await client.query(
            "INSERT INTO teams (id, name, created_at) VALUES (\(team.id.lowercased), \(name), \(now.millis))", logger: logger)
        return team
    }

    public func createFirstTeam(name: String, now: Timestamp) async throws -> Team? {
        let team = Team(id: UUID.v7(now: now), name: name, createdAt: now)
        return try await client.withTransaction(logger: logger) { connection in
            // Serialises nodes starting at once; released at commit.
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey + 1))", logger: self.logger)
            guard try await connection.query("SELECT 1 FROM teams LIMIT 1", logger: self.logger).first() == nil else { return nil }
            try await connection.query(
                "INSERT INTO teams (id, name, created_at) VALUES (\(team.id.lowercased), \(name), \(now.millis))", logger: self.logger)
            return team
        }
    }

    public func teams() async throws -> [Team] {
        try await client.query("SELECT id, name, created_at FROM teams ORDER BY created_at, id", logger: logger).all().map { row in
            Team(id: try row.uuid("id"), name: try row.value("name"), createdAt: try row.timestamp("created_at"))
        }
    }

    public func createAPIKey(teamID: UUID, keyHash: String, label: String, now: Timestamp) async throws {
        try await client.query(
            "INSERT INTO api_keys (id, team_id, key_hash, label, created_at) VALUES (\(UUID().lowercased), \(teamID.lowercased), \(keyHash), \(label), \(now.millis))",
            logger: logger)
    }

    public func teamID(forAPIKeyHash hash: String) async throws -> UUID? {
        try await client.query("SELECT team_id FROM api_keys WHERE key_hash = \(hash) AND revoked_at IS NULL", logger: logger)
            .first().map { try $0.uuid("team_id") }
    }

    // MARK: Automations

    static let automationColumns = """
        a.id, a.team_id, a.name, a.enabled, a.definition, a.created_at, a.updated_at,
        w.id AS webhook_id, w.token, w.rate_per_second, w.rate_burst, w.verification, w.accept,
        EXISTS (SELECT 1 FROM webhook_secrets s WHERE s.webhook_id = w.id AND (s.expires_at IS NULL OR s.expires_at > $1)) AS signing
        FROM automations a JOIN webhooks w ON w.automation_id = a.id
        """

    static func automation(from row: PostgresRandomAccessRow) throws -> Automation {
        let id: String = try row.value("id")
        guard let definition = try row.json("definition", table: "automations", id: id) else {
            throw StoreError.corrupt(table: "automations", id: id, detail: "definition is missing")
        }
        let signing: Bool = try row.value("signing")
        return Automation(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), name: try row.value("name"), enabled: try row.value("enabled"),
            definition: definition, createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
            webhook: Webhook(
                id: try row.uuid("webhook_id"), token: try row.value("token"),
                rateLimit: RateLimit(perSecond: try row.value("rate_per_second"), burst: Int(try row.value("rate_burst", as: Int32.self))),
                signing: signing,
                verification: StoredCredential.verification(
                    stored: try row.value("verification", as: String?.self), hasCredentials: signing),
                accept: BodyFormat.parseStored(try row.value("accept", as: String?.self))))
    }

    func fetchAutomation(_ connection: PostgresConnection, id: UUID, teamID: UUID, now: Timestamp) async throws -> Automation? {
        var binds = PostgresBindings()
        binds.append(now.millis)
        binds.append(id.lowercased)
        binds.append(teamID.lowercased)
        return try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.automationColumns) WHERE a.id = $2 AND a.team_id = $3 AND a.deleted_at IS NULL", binds: binds),
            logger: logger
        ).first().map(Self.automation(from:))
    }

    public func createAutomation(_ new: NewAutomation, now: Timestamp) async throws -> Automation {
        let sealed = try new.signingKey.map { Data(try secretBox.seal($0)) }
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO automations (id, team_id, name, enabled, definition, step_count, concurrency, created_at, updated_at)
                VALUES (\(new.id.lowercased), \(new.teamID.lowercased), \(new.name), \(new.enabled), \(new.definition.serialized),
                        \(Int32(AutomationDefinition.stepCount(new.definition))), \(ConcurrencyLimit.explicit(new.definition).map(Int32.init)),
                        \(now.millis), \(now.millis))
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO webhooks (id, automation_id, team_id, token, token_hash, rate_per_second, rate_burst, created_at)
                VALUES (\(new.webhookID.lowercased), \(new.id.lowercased), \(new.teamID.lowercased), \(new.token), \(SecretMaterial.hash(new.token)),
                        \(new.rateLimit.perSecond), \(Int32(new.rateLimit.burst)), \(now.millis))
                """, logger: logger)
            if let sealed {
                try await connection.query(
                    "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at) VALUES (\(UUID().lowercased), \(new.webhookID.lowercased), \(sealed), \(now.millis))",
                    logger: logger)
            }
            guard let automation = try await self.fetchAutomation(connection, id: new.id, teamID: new.teamID, now: now) else {
                throw StoreError.inconsistent("automation vanished after insert")
            }
            return automation
        }
    }

    public func automations(teamID: UUID, after: UUID?, limit: Int) async throws -> [Automation] {
        var binds = PostgresBindings()
        binds.append(Timestamp.now().millis)
        binds.append(teamID.lowercased)
        binds.append(after?.lowercased ?? "")
        binds.append(limit)
        return try await client.query(
            PostgresQuery(
                unsafeSQL:
                    "SELECT \(Self.automationColumns) WHERE a.team_id = $2 AND a.deleted_at IS NULL AND a.id > $3 ORDER BY a.id LIMIT $4",
                binds: binds),
            logger: logger
        ).all().map(Self.automation(from:))
    }

    public func allAutomations() async throws -> [Automation] {
        var binds = PostgresBindings()
        binds.append(Timestamp.now().millis)
        return try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.automationColumns) WHERE a.deleted_at IS NULL ORDER BY a.created_at, a.id", binds: binds),
            logger: logger
        ).all().map(Self.automation(from:))
    }

    public func storedDefinitions() async throws -> [(id: String, name: String, text: String)] {
        try await client.query(
            "SELECT id, name, definition FROM automations WHERE deleted_at IS NULL ORDER BY created_at, id", logger: logger
        ).all().map { (id: try $0.value("id"), name: try $0.value("name"), text: try $0.value("definition", as: String?.self) ?? "") }
    }

    public func automation(id: UUID, teamID: UUID) async throws -> Automation? {
        try await client.withConnection { try await self.fetchAutomation($0, id: id, teamID: teamID, now: .now()) }
    }

    public func updateAutomation(id: UUID, teamID: UUID, patch: AutomationPatch, now: Timestamp) async throws -> Automation? {
        defer { routeCache.invalidate() }
        return try await client.withTransaction(logger: logger) { connection in
            guard try await self.fetchAutomation(connection, id: id, teamID: teamID, now: now) != nil else { return nil }
            let key = id.lowercased
            if let name = patch.name {
                try await connection.query("UPDATE automations SET name = \(name) WHERE id = \(key)", logger: self.logger)
            }
            if let enabled = patch.enabled {
                try await connection.query("UPDATE automations SET enabled = \(enabled) WHERE id = \(key)", logger: self.logger)
            }
            if let definition = patch.definition {
                try await connection.query(
                    """
                    UPDATE automations SET definition = \(definition.serialized), step_count = \(Int32(AutomationDefinition.stepCount(definition))),
                        concurrency = \(ConcurrencyLimit.explicit(definition).map(Int32.init))
                    WHERE id = \(key)
                    """, logger: self.logger)
            }
            if let limit = patch.rateLimit {
                try await connection.query(
                    "UPDATE webhooks SET rate_per_second = \(limit.perSecond), rate_burst = \(Int32(limit.burst)) WHERE automation_id = \(key)",
                    logger: self.logger)
            }
            if patch.disableSigning {
                try await connection.query(
                    """
                    UPDATE webhook_secrets SET expires_at = \(now.millis)
                    WHERE webhook_id = (SELECT id FROM webhooks WHERE automation_id = \(key))
                      AND (expires_at IS NULL OR expires_at > \(now.millis))
                    """, logger: self.logger)
                // Signing off is verification off, whatever the scheme.
                try await connection.query("UPDATE webhooks SET verification = NULL WHERE automation_id = \(key)", logger: self.logger)
            }
            try await connection.query("UPDATE automations SET updated_at = \(now.millis) WHERE id = \(key)", logger: self.logger)
            return try await self.fetchAutomation(connection, id: id, teamID: teamID, now: now)
        }
    }

    public func deleteAutomation(id: UUID, teamID: UUID, now: Timestamp) async throws -> Bool {
        defer { routeCache.invalidate() }
        return try await client.query(
            """
            UPDATE automations SET deleted_at = \(now.millis), enabled = FALSE
            WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased) AND deleted_at IS NULL RETURNING id
            """, logger: logger
        ).first() != nil
    }

    public func rotateToken(automationID: UUID, teamID: UUID, newToken: String, now: Timestamp) async throws -> Automation? {
        defer { routeCache.invalidate() }
        return try await client.withTransaction(logger: logger) { connection in
            guard try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now) != nil else { return nil }
            try await connection.query(
                "UPDATE webhooks SET token = \(newToken), token_hash = \(SecretMaterial.hash(newToken)) WHERE automation_id = \(automationID.lowercased)",
                logger: self.logger)
            try await connection.query(
                "UPDATE automations SET updated_at = \(now.millis) WHERE id = \(automationID.lowercased)", logger: self.logger)
            return try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now)
        }
    }

    public func rotateSigningSecret(automationID: UUID, teamID: UUID, newKey: [UInt8], graceUntil: Timestamp, now: Timestamp) async throws
        -> Automation?
    {
        defer { routeCache.invalidate() }
        let sealed = Data(try secretBox.seal(newKey))
        return try await client.withTransaction(logger: logger) { connection in
            guard let automation = try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now) else {
                return nil
            }
            let webhook = automation.webhook.id.lowercased
            // Secrets already in a grace period end now, so at most two are ever active.
            try await connection.query(
                "UPDATE webhook_secrets SET expires_at = \(now.millis) WHERE webhook_id = \(webhook) AND expires_at IS NOT NULL AND expires_at > \(now.millis)",
                logger: self.logger)
            try await connection.query(
                "UPDATE webhook_secrets SET expires_at = \(graceUntil.millis) WHERE webhook_id = \(webhook) AND expires_at IS NULL",
                logger: self.logger)
            try await connection.query(
                "INSERT INTO webhook_secrets (id, webhook_id, sealed_key, created_at) VALUES (\(UUID().lowercased), \(webhook), \(sealed), \(now.millis))",
                logger: self.logger)
            try await connection.query(
                "UPDATE automations SET updated_at = \(now.millis) WHERE id = \(automationID.lowercased)", logger: self.logger)
            return try await self.fetchAutomation(connection, id: automationID, teamID: teamID, now: now)
        }
    }

    public func route(tokenHash: String, now: Timestamp) async throws -> WebhookRoute? {
        try await routeCache.route(tokenHash, now: now) { try await fetchRoute(tokenHash: tokenHash, now: now) }
    }

    /// The route, and when the first of its secrets in a grace period ends.
    private func fetchRoute(tokenHash: String, now: Timestamp) async throws -> (WebhookRoute, keysChangeAt: Timestamp?)? {
        guard
            let row = try await client.query(
                """
                SELECT w.id, w.automation_id, w.team_id, w.rate_per_second, w.rate_burst, w.verification, w.accept,
                       ARRAY(SELECT s.credential_format || ':' || encode(s.sealed_key, 'base64') FROM webhook_secrets s
                             WHERE s.webhook_id = w.id AND (s.expires_at IS NULL OR s.expires_at > \(now.millis))
                             ORDER BY s.created_at DESC) AS sealed_keys,
                       (SELECT MIN(s.expires_at) FROM webhook_secrets s
                             WHERE s.webhook_id = w.id AND s.expires_at > \(now.millis)) AS keys_change_at
                FROM webhooks w JOIN automations a ON a.id = w.automation_id
                WHERE w.token_hash = \(tokenHash) AND a.enabled AND a.deleted_at IS NULL
                """, logger: logger
            ).first()
        else { return nil }
        let sealed: [String] = try row.value("sealed_keys")
        // Each entry is `<credential_format>:<base64 of the sealed bytes>`.
        let opened = try sealed.map { entry -> (credential: SchemeCredential, rawKey: [UInt8]?) in
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let format = Int(parts[0]),
                let data = Data(base64Encoded: parts[1].replacingOccurrences(of: "\n", with: ""))
            else {
                throw StoreError.corrupt(table: "webhook_secrets", id: "?", detail: "a sealed key is not base64")
            }
            return try StoredCredential.open(Array(data), format: format, with: secretBox)
        }
        let route = StoredCredential.route(
            base: WebhookRoute(
                webhookID: try row.uuid("id"), automationID: try row.uuid("automation_id"), teamID: try row.uuid("team_id"),
                rateLimit: RateLimit(perSecond: try row.value("rate_per_second"), burst: Int(try row.value("rate_burst", as: Int32.self))),
                signingKeys: []),
            storedVerification: try row.value("verification", as: String?.self), storedAccept: try row.value("accept", as: String?.self),
            opened: opened)
        return (route, try row.optionalTimestamp("keys_change_at"))
    }

    // MARK: Executions

    static let executionColumns = """
        id, team_id, automation_id, status, body, content_type, idempotency_key, source_address, received_at,
        attempt, started_at, finished_at, error, replay_of, steps_total, steps_completed, step_keys_from
        """
    /// `executionColumns` with an empty body: a listing never loads payloads
    /// (up to 100 rows of the body cap each, for a page that shows none).
    static let listedExecutionColumns = executionColumns.replacingOccurrences(of: "status, body,", with: "status, ''::bytea AS body,")

    static func execution(from row: PostgresRandomAccessRow) throws -> Execution {
        guard let status = ExecutionStatus(rawValue: try row.value("status")) else {
            throw StoreError.corrupt(table: "executions", id: (try? row.value("id", as: String.self)) ?? "?", detail: "unknown status")
        }
        return Execution(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), automationID: try row.uuid("automation_id"), status: status,
            body: try row.bytes("body"), contentType: try row.value("content_type"), idempotencyKey: try row.value("idempotency_key"),
            sourceAddress: try row.value("source_address"), receivedAt: try row.timestamp("received_at"),
            attempt: Int(try row.value("attempt", as: Int32.self)), startedAt: try row.optionalTimestamp("started_at"),
            finishedAt: try row.optionalTimestamp("finished_at"), error: try row.value("error"),
            replayOf: try row.optionalUUID("replay_of"),
            stepsTotal: Int(try row.value("steps_total", as: Int32.self)),
            stepsCompleted: Int(try row.value("steps_completed", as: Int32.self)),
            stepKeysFrom: try row.optionalUUID("step_keys_from"))
    }

    /// `execution(from:)` with `resolved_by`, which only the API's queries select.
    static func resolvedExecution(from row: PostgresRandomAccessRow) throws -> Execution {
        var execution = try execution(from: row)
        execution.resolvedBy = try row.optionalUUID("resolved_by")
        return execution
    }

    public func execution(id: UUID, teamID: UUID) async throws -> Execution? {
        var binds = PostgresBindings()
        binds.append(id.lowercased)
        binds.append(teamID.lowercased)
        return try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.executionColumns), resolved_by FROM executions WHERE id = $1 AND team_id = $2", binds: binds),
            logger: logger
        ).first().map(Self.resolvedExecution(from:))
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
        var filter = PostgresFilter("team_id", equals: teamID.lowercased)
        filter.add("automation_id", "=", query.automationID?.lowercased)
        filter.add("status", "=", query.status?.rawValue)
        filter.add("received_at", ">=", query.createdAfter?.millis)
        filter.add("received_at", "<", query.createdBefore?.millis)
        filter.add("idempotency_key", "=", query.idempotencyKey)
        filter.add("id", "<", query.before?.lowercased)
        return try await client.query(
            filter.query("SELECT \(columns), resolved_by FROM executions", "ORDER BY id DESC", limit: query.limit), logger: logger
        ).all().map(Self.resolvedExecution(from:))
    }

    // MARK: Maintenance

    public func deleteExpiredIdempotencyRecords(now: Timestamp, limit: Int) async throws -> Int {
        try await client.query(
            """
            DELETE FROM idempotency_records WHERE (webhook_id, key) IN
                (SELECT webhook_id, key FROM idempotency_records WHERE expires_at <= \(now.millis) LIMIT \(limit))
            RETURNING 1
            """, logger: logger
        ).all().count
    }
}

public enum PostgresStoreError: Error, CustomStringConvertible {
    case invalidURL
    case noSchema

    public var description: String {
        switch self {
        case .invalidURL: "VOXWORKS_DATABASE_URL must look like postgres://user:password@host:5432/database"
        case .noSchema: "the database has no Voxworks tables"
        }
    }
}

extension PostgresStore {
    /// Runs one administrative statement (tests create their schema with it).
    public func execute(_ sql: String) async throws {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }
}
