import Foundation
import NIOCore
import PostgresNIO
import VoxworksCore

extension PostgresStore {
    static let requestLogColumns = """
        id, team_id, automation_id, received_at, status, message, execution_id, idempotency_key, source_ip,
        duration_ms, method, content_type, headers, body, body_bytes
        """

    /// One statement for the batch: its columns as arrays, unnested (an
    /// empty string stands for NULL in the optional text columns, as
    /// arrays of optionals do not bind).
    public func recordRequests(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        var parameters = PostgresParameters()
        let columns = [
            parameters.add(records.map(\.id.lowercased)), parameters.add(records.map(\.teamID.lowercased)),
            parameters.add(records.map(\.automationID.lowercased)), parameters.add(records.map(\.receivedAt.millis)),
            parameters.add(records.map { Int64($0.status) }), parameters.add(records.map { $0.message ?? "" }),
            parameters.add(records.map { $0.executionID?.lowercased ?? "" }), parameters.add(records.map { $0.idempotencyKey ?? "" }),
            parameters.add(records.map { $0.sourceIP ?? "" }), parameters.add(records.map { Int64($0.durationMillis) }),
            parameters.add(records.map(\.method)), parameters.add(records.map { $0.contentType ?? "" }),
            parameters.add(records.map { StoredRequestHeaders.serialize($0.headers) }),
            parameters.add(records.map { ByteBuffer(bytes: $0.body) }), parameters.add(records.map { Int64($0.bodyBytes) }),
        ]
        let sql = """
            INSERT INTO request_log (\(Self.requestLogColumns))
            SELECT id, team_id, automation_id, received_at, status, NULLIF(message, ''), NULLIF(execution_id, ''),
                NULLIF(idempotency_key, ''), NULLIF(source_ip, ''), duration_ms, method, NULLIF(content_type, ''), headers, body, body_bytes
            FROM unnest(\(columns.joined(separator: ", ")))
                AS r(id, team_id, automation_id, received_at, status, message, execution_id, idempotency_key, source_ip,
                     duration_ms, method, content_type, headers, body, body_bytes)
            ON CONFLICT (id) DO NOTHING
            """
        try await client.query(parameters.query(sql), logger: logger)
    }

    public func requestCounts(teamID: UUID, since: Timestamp, until: Timestamp) async throws -> RequestCounts {
        let low = ExecutionOverview.lowestID(receivedSince: since)
        // With the requests kept with the executions they created.
        let rows = try await client.query(
            """
            SELECT
                (SELECT COUNT(*) FROM request_log
                    WHERE team_id = \(teamID.lowercased) AND id >= \(low) AND received_at >= \(since.millis)
                        AND received_at < \(until.millis)) AS logged,
                (SELECT COUNT(*) FROM request_log
                    WHERE team_id = \(teamID.lowercased) AND id >= \(low) AND received_at >= \(since.millis)
                        AND received_at < \(until.millis) AND status >= 400) AS refused,
                (SELECT COUNT(*) FROM executions
                    WHERE team_id = \(teamID.lowercased) AND id >= \(low) AND received_at >= \(since.millis)
                        AND received_at < \(until.millis) AND request_log IS NOT NULL) AS created
            """, logger: logger
        ).all()
        guard let row = rows.first else { return RequestCounts(received: 0, refused: 0) }
        return RequestCounts(
            received: Int(try row.value("logged", as: Int64.self) + row.value("created", as: Int64.self)),
            refused: Int(try row.value("refused", as: Int64.self)))
    }

    /// The columns of an execution that make the record of the request
    /// that created it; `$cap` is the body's bytes kept.
    static func createdRequestColumns(cap: String) -> String {
        """
        id, team_id, automation_id, received_at, idempotency_key, source_address, content_type, request_log,
        substring(body from 1 for \(cap)) AS body, octet_length(body) AS stored_bytes
        """
    }

    public func requests(teamID: UUID, query: RequestLogQuery, view: RequestLogView) async throws -> [RequestRecord] {
        var filter = PostgresFilter("team_id", equals: teamID.lowercased)
        filter.add("automation_id", "=", query.automationID?.lowercased)
        filter.add("status", "=", query.status.map(Int64.init))
        if RequestLogIndexes.usesStatusIndex(query.status) { filter.add(literal: "status <> 202") }
        filter.add("received_at", ">=", query.createdAfter?.millis)
        filter.add("id", ">=", query.createdAfter.map(RequestLogIndexes.lowestID(receivedSince:)))
        filter.add("received_at", "<", query.createdBefore?.millis)
        filter.add("id", "<", query.before?.lowercased)
        let rows = try await client.query(
            filter.query("SELECT \(Self.requestLogColumns) FROM request_log", "ORDER BY id DESC", limit: query.limit), logger: logger
        ).all().map(Self.requestRecord(from:))
        guard RequestLogIndexes.includesCreated(query.status) else { return rows }
        // Requests kept with the executions they created: all answered 202.
        var created = PostgresFilter("team_id", equals: teamID.lowercased)
        let cap = created.bind(Int32(clamping: view.bodyBytes))
        created.add(literal: "request_log IS NOT NULL")
        created.add("received_at", ">=", view.keptSince.millis)
        created.add("id", ">=", RequestLogIndexes.lowestID(receivedSince: view.keptSince))
        created.add("automation_id", "=", query.automationID?.lowercased)
        created.add("received_at", ">=", query.createdAfter?.millis)
        created.add("id", ">=", query.createdAfter.map(RequestLogIndexes.lowestID(receivedSince:)))
        created.add("received_at", "<", query.createdBefore?.millis)
        created.add("id", "<", query.before?.lowercased)
        let kept = try await client.query(
            created.query("SELECT \(Self.createdRequestColumns(cap: cap)) FROM executions", "ORDER BY id DESC", limit: query.limit),
            logger: logger
        ).all().map { try Self.createdRequestRecord(from: $0, bodyBytes: view.bodyBytes) }
        return RequestRecord.merged(rows, kept, limit: query.limit)
    }

    public func request(id: UUID, teamID: UUID, view: RequestLogView) async throws -> RequestRecord? {
        if let record = try await client.query(
            "SELECT \(unescaped: Self.requestLogColumns) FROM request_log WHERE id = \(id.lowercased) AND team_id = \(teamID.lowercased)",
            logger: logger
        ).first().map(Self.requestRecord(from:)) {
            return record
        }
        var created = PostgresFilter("id", equals: id.lowercased)
        let cap = created.bind(Int32(clamping: view.bodyBytes))
        created.add("team_id", "=", teamID.lowercased)
        created.add(literal: "request_log IS NOT NULL")
        created.add("received_at", ">=", view.keptSince.millis)
        return try await client.query(
            created.query("SELECT \(Self.createdRequestColumns(cap: cap)) FROM executions", "", limit: 1), logger: logger
        ).first().map { try Self.createdRequestRecord(from: $0, bodyBytes: view.bodyBytes) }
    }

    public func requestID(executionID: UUID, teamID: UUID, view: RequestLogView) async throws -> UUID? {
        // Its own record, kept with it (or, written before that rule, a
        // row with its id); else the first replay.
        try await client.query(
            """
            (SELECT id FROM executions
                WHERE id = \(executionID.lowercased) AND team_id = \(teamID.lowercased) AND request_log IS NOT NULL
                    AND received_at >= \(view.keptSince.millis))
            UNION ALL
            (SELECT id FROM request_log WHERE id = \(executionID.lowercased) AND team_id = \(teamID.lowercased))
            UNION ALL
            (SELECT id FROM request_log
                WHERE execution_id = \(executionID.lowercased) AND execution_id <> id AND team_id = \(teamID.lowercased)
                ORDER BY id LIMIT 1)
            ORDER BY id LIMIT 1
            """, logger: logger
        ).first().map { try $0.uuid("id") }
    }

    public func deleteRequests(receivedBefore before: Timestamp, limit: Int) async throws -> Int {
        try await client.query(
            """
            DELETE FROM request_log WHERE id IN
                (SELECT id FROM request_log WHERE id < \(RequestLogIndexes.lowestID(receivedSince: before)) LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """, logger: logger
        ).all().count
    }

    static func requestRecord(from row: PostgresRandomAccessRow) throws -> RequestRecord {
        let rawID = try row.value("id", as: String.self)
        return RequestRecord(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), automationID: try row.uuid("automation_id"),
            receivedAt: try row.timestamp("received_at"), status: Int(try row.value("status", as: Int32.self)),
            message: try row.value("message"), executionID: try row.optionalUUID("execution_id"),
            idempotencyKey: try row.value("idempotency_key"), sourceIP: try row.value("source_ip"),
            durationMillis: Int(try row.value("duration_ms", as: Int32.self)), method: try row.value("method"),
            contentType: try row.value("content_type"),
            headers: try StoredRequestHeaders.parse(try row.value("headers", as: String.self), id: rawID),
            body: try row.bytes("body"), bodyBytes: Int(try row.value("body_bytes", as: Int32.self)))
    }

    /// The record of the request that created an execution, from the
    /// execution's `createdRequestColumns`.
    static func createdRequestRecord(from row: PostgresRandomAccessRow, bodyBytes: Int) throws -> RequestRecord {
        let rawID = try row.value("id", as: String.self)
        guard let text = try row.value("request_log", as: String?.self) else {
            throw StoreError.corrupt(table: "executions", id: rawID, detail: "request_log is missing")
        }
        return RequestRecord.created(
            id: try row.uuid("id"), teamID: try row.uuid("team_id"), automationID: try row.uuid("automation_id"),
            receivedAt: try row.timestamp("received_at"), idempotencyKey: try row.value("idempotency_key"),
            sourceAddress: try row.value("source_address"), contentType: try row.value("content_type"),
            log: try StoredExecutionRequestLog.parse(text, id: rawID), body: try row.bytes("body"),
            storedBytes: Int(try row.value("stored_bytes", as: Int32.self)), bodyBytes: bodyBytes)
    }
}
