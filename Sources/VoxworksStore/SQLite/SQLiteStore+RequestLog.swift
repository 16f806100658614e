import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    static let requestLogColumns = """
        id, team_id, automation_id, received_at, status, message, execution_id, idempotency_key, source_ip,
        duration_ms, method, content_type, headers, body, body_bytes
        """

    public func recordRequests(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        // The values (ids as text, the headers' JSON) are made before the
        // writer is taken: it is the store's only one, and under load
        // ingest's group commit is waiting for it.
        let rows: [[SQLiteValue]] = records.map { record in
            [
                .text(record.id.lowercased), .text(record.teamID.lowercased), .text(record.automationID.lowercased),
                .int(record.receivedAt.millis), .int(Int64(record.status)), SQLiteValue(record.message),
                SQLiteValue(record.executionID?.lowercased), SQLiteValue(record.idempotencyKey), SQLiteValue(record.sourceIP),
                .int(Int64(record.durationMillis)), .text(record.method), SQLiteValue(record.contentType),
                .text(StoredRequestHeaders.serialize(record.headers)), .blob(record.body), .int(Int64(record.bodyBytes)),
            ]
        }
        try await pool.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO request_log (\(Self.requestLogColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for row in rows { try insert.run(row) }
        }
    }

    /// The columns of an execution that make the record of the request that
    /// created it (`createdRequestRecord(from:bodyBytes:)` reads them by position).
    static let createdRequestColumns = """
        id, team_id, automation_id, received_at, idempotency_key, source_address, content_type, request_log,
        substr(body, 1, :cap), length(body)
        """

    public func requests(teamID: UUID, query: RequestLogQuery, view: RequestLogView) async throws -> [RequestRecord] {
        var filter = SQLFilter("team_id = :team", ["team": teamID.lowercased, "limit": query.limit])
        filter.add("automation_id = :automation", "automation", query.automationID?.lowercased)
        filter.add(
            RequestLogIndexes.usesStatusIndex(query.status) ? "status = :status AND status <> 202" : "status = :status", "status",
            query.status)
        filter.add("received_at >= :after", "after", query.createdAfter?.millis)
        filter.add("id >= :lowest", "lowest", query.createdAfter.map(RequestLogIndexes.lowestID(receivedSince:)))
        filter.add("received_at < :before", "before", query.createdBefore?.millis)
        filter.add("id < :cursor", "cursor", query.before?.lowercased)
        // Named: without statistics SQLite would rather sort a range of it.
        let index = RequestLogIndexes.usesStatusIndex(query.status) ? " INDEXED BY request_log_status" : ""
        let sql = "SELECT \(Self.requestLogColumns) FROM request_log\(index) WHERE \(filter.clause) ORDER BY id DESC LIMIT :limit"
        let arguments = filter.statementArguments
        // Requests kept with the executions they created: all answered 202.
        let created =
            RequestLogIndexes.includesCreated(query.status) ? Self.createdRequestsQuery(teamID: teamID, query: query, view: view) : nil
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.requestRecord(from:))
            guard let created else { return rows }
            let kept = try Row.fetchAll(db, sql: created.sql, arguments: created.arguments).map {
                try Self.createdRequestRecord(from: $0, bodyBytes: view.bodyBytes)
            }
            return RequestRecord.merged(rows, kept, limit: query.limit)
        }
    }

    static func createdRequestsQuery(teamID: UUID, query: RequestLogQuery, view: RequestLogView) -> (
        sql: String, arguments: StatementArguments
    ) {
        var filter = SQLFilter(
            "team_id = :team AND request_log IS NOT NULL AND received_at >= :kept AND id >= :keptID",
            [
                "team": teamID.lowercased, "limit": query.limit, "cap": view.bodyBytes, "kept": view.keptSince.millis,
                "keptID": RequestLogIndexes.lowestID(receivedSince: view.keptSince),
            ])
        filter.add("automation_id = :automation", "automation", query.automationID?.lowercased)
        filter.add("received_at >= :after", "after", query.createdAfter?.millis)
        filter.add("id >= :lowest", "lowest", query.createdAfter.map(RequestLogIndexes.lowestID(receivedSince:)))
        filter.add("received_at < :before", "before", query.createdBefore?.millis)
        filter.add("id < :cursor", "cursor", query.before?.lowercased)
        return (
            "SELECT \(createdRequestColumns) FROM executions WHERE \(filter.clause) ORDER BY id DESC LIMIT :limit",
            filter.statementArguments
        )
    }

    public func request(id: UUID, teamID: UUID, view: RequestLogView) async throws -> RequestRecord? {
        try await pool.read { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT \(Self.requestLogColumns) FROM request_log WHERE id = ? AND team_id = ?",
                arguments: [id.lowercased, teamID.lowercased])
            {
                return try Self.requestRecord(from: row)
            }
            return try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.createdRequestColumns) FROM executions
                    WHERE id = :id AND team_id = :team AND request_log IS NOT NULL AND received_at >= :kept
                    """,
                arguments: ["id": id.lowercased, "team": teamID.lowercased, "cap": view.bodyBytes, "kept": view.keptSince.millis]
            ).map { try Self.createdRequestRecord(from: $0, bodyBytes: view.bodyBytes) }
        }
    }

    public func requestID(executionID: UUID, teamID: UUID, view: RequestLogView) async throws -> UUID? {
        try await pool.read { db in
            // Its own record, kept with it (or, written before that rule,
            // a row with its id); else the first replay.
            try String.fetchOne(
                db,
                sql: """
                    SELECT id FROM executions
                        WHERE id = :execution AND team_id = :team AND request_log IS NOT NULL AND received_at >= :kept
                    UNION ALL
                    SELECT id FROM request_log WHERE id = :execution AND team_id = :team
                    UNION ALL
                    SELECT * FROM (SELECT id FROM request_log INDEXED BY request_log_replays
                        WHERE execution_id = :execution AND execution_id <> id AND team_id = :team ORDER BY id LIMIT 1)
                    ORDER BY id LIMIT 1
                    """,
                arguments: ["execution": executionID.lowercased, "team": teamID.lowercased, "kept": view.keptSince.millis]
            ).flatMap(UUID.init(canonical:))
        }
    }

    public func deleteRequests(receivedBefore before: Timestamp, limit: Int) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE id < ? LIMIT ?)",
                arguments: [RequestLogIndexes.lowestID(receivedSince: before), limit])
            return db.changesCount
        }
    }

    public func requestCounts(teamID: UUID, since: Timestamp, until: Timestamp) async throws -> RequestCounts {
        let arguments: StatementArguments = [
            teamID.lowercased, ExecutionOverview.lowestID(receivedSince: since), since.millis, until.millis,
        ]
        return try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) FROM request_log
                    WHERE team_id = ? AND id >= ? AND received_at >= ? AND received_at < ?
                    """,
                arguments: arguments)
            // The requests kept with the executions they created.
            let created =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM executions
                        WHERE team_id = ? AND id >= ? AND received_at >= ? AND received_at < ? AND request_log IS NOT NULL
                        """,
                    arguments: arguments) ?? 0
            return RequestCounts(received: Int(row?[0] as Int64? ?? 0) + Int(created), refused: Int(row?[1] as Int64? ?? 0))
        }
    }

    static func requestRecord(from row: Row) throws -> RequestRecord {
        let rawID: String = row[0] ?? "?"
        guard let id = UUID(canonical: row[0]), let teamID = UUID(canonical: row[1]), let automationID = UUID(canonical: row[2]) else {
            throw StoreError.corrupt(table: "request_log", id: rawID, detail: "id, team_id or automation_id is not a UUID")
        }
        let executionText: String? = row[6]
        return RequestRecord(
            id: id, teamID: teamID, automationID: automationID, receivedAt: Timestamp(millis: row[3]), status: row[4], message: row[5],
            executionID: executionText.flatMap(UUID.init(canonical:)), idempotencyKey: row[7], sourceIP: row[8], durationMillis: row[9],
            method: row[10], contentType: row[11], headers: try StoredRequestHeaders.parse(row[12], id: rawID),
            body: row.blob(13), bodyBytes: row[14])
    }

    /// The record of the request that created an execution, from the
    /// execution's `createdRequestColumns`.
    static func createdRequestRecord(from row: Row, bodyBytes: Int) throws -> RequestRecord {
        let rawID: String = row[0] ?? "?"
        guard let id = UUID(canonical: row[0]), let teamID = UUID(canonical: row[1]), let automationID = UUID(canonical: row[2]) else {
            throw StoreError.corrupt(table: "executions", id: rawID, detail: "id, team_id or automation_id is not a UUID")
        }
        let text: String? = row[7]
        guard let text else { throw StoreError.corrupt(table: "executions", id: rawID, detail: "request_log is missing") }
        return RequestRecord.created(
            id: id, teamID: teamID, automationID: automationID, receivedAt: Timestamp(millis: row[3]), idempotencyKey: row[4],
            sourceAddress: row[5], contentType: row[6], log: try StoredExecutionRequestLog.parse(text, id: rawID), body: row.blob(8),
            storedBytes: row[9], bodyBytes: bodyBytes)
    }
}
