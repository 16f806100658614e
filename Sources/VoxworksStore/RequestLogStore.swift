import VoxworksCore

import Foundation

/// One header of a logged request, as kept (already chosen and redacted
/// by the recorder: the store keeps what it is given).
public struct RequestHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One request to `/api/v1/hooks/{token}` whose token named an automation,
/// accepted or refused, as the request log keeps it.
public struct RequestRecord: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var automationID: UUID
    public var receivedAt: Timestamp
    /// The HTTP status answered.
    public var status: Int
    /// The answer's message (a refusal's reason); nil for a plain `202`.
    public var message: String?
    /// The execution an accepted request created or replayed.
    public var executionID: UUID?
    public var idempotencyKey: String?
    public var sourceIP: String?
    public var durationMillis: Int
    public var method: String
    public var contentType: String?
    public var headers: [RequestHeader]
    /// The first bytes of the body (at most the configured size).
    public var body: [UInt8]
    /// The body's full size as received.
    public var bodyBytes: Int

    public var bodyTruncated: Bool { bodyBytes > body.count }

    public init(
        id: UUID, teamID: UUID, automationID: UUID, receivedAt: Timestamp, status: Int, message: String?, executionID: UUID?,
        idempotencyKey: String?, sourceIP: String?, durationMillis: Int, method: String, contentType: String?, headers: [RequestHeader],
        body: [UInt8], bodyBytes: Int
    ) {
        self.id = id
        self.teamID = teamID
        self.automationID = automationID
        self.receivedAt = receivedAt
        self.status = status
        self.message = message
        self.executionID = executionID
        self.idempotencyKey = idempotencyKey
        self.sourceIP = sourceIP
        self.durationMillis = durationMillis
        self.method = method
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.bodyBytes = bodyBytes
    }
}

/// The filters of `GET /api/v1/requests`, newest first.
public struct RequestLogQuery: Sendable {
    public var automationID: UUID?
    public var status: Int?
    /// `received_at >= createdAfter`.
    public var createdAfter: Timestamp?
    /// `received_at < createdBefore`.
    public var createdBefore: Timestamp?
    /// The cursor: records with an id below this one.
    public var before: UUID?
    public var limit: Int

    public init(
        automationID: UUID? = nil, status: Int? = nil, createdAfter: Timestamp? = nil, createdBefore: Timestamp? = nil, before: UUID? = nil,
        limit: Int = 25
    ) {
        self.automationID = automationID
        self.status = status
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.before = before
        self.limit = limit
    }
}

/// The rules the request log's indexes rely on (both stores).
public enum RequestLogIndexes {
    /// The status index leaves out the `202`s (nearly every record): a
    /// filter on another status repeats `status <> 202` so that the
    /// index, partial on that condition, can serve it.
    public static func usesStatusIndex(_ status: Int?) -> Bool {
        guard let status else { return false }
        return status != 202
    }

    /// Whether a status filter lets in the requests kept with the
    /// executions they created (all of them answered `202`).
    public static func includesCreated(_ status: Int?) -> Bool {
        status == nil || status == 202
    }

    /// The id below which no record received at or after `since` sorts:
    /// record ids are UUIDv7 made at or after the request's arrival, like
    /// execution ids, so retention and `created_after` are ranges of ids.
    public static func lowestID(receivedSince since: Timestamp) -> String {
        ExecutionOverview.lowestID(receivedSince: since)
    }
}

/// What the request log keeps of a request that created an execution.
/// It is stored with that execution, in the same group commit, rather
/// than as a row of its own: the execution already holds the body, the
/// content type, the key, the address and the time of arrival, so only
/// what it lacks is added (a second row per accepted webhook cost more
/// than the log's budget on the ingest path).
public struct ExecutionRequestLog: Sendable, Equatable {
    public var method: String
    /// Chosen and redacted by the recorder.
    public var headers: [RequestHeader]
    /// From arrival until the group commit that writes it began (its own
    /// flush cannot be included: the entry is written by it).
    public var durationMillis: Int
    /// The first bytes of the body as received, only when the execution
    /// holds a converted one (a form or an array made into an object).
    public var body: [UInt8]?
    /// The body's size as received.
    public var bodyBytes: Int

    public init(
        method: String, headers: [RequestHeader], durationMillis: Int, body: [UInt8]? = nil, bodyBytes: Int
    ) {
        self.method = method
        self.headers = headers
        self.durationMillis = durationMillis
        self.body = body
        self.bodyBytes = bodyBytes
    }
}

/// How the log is read: records of requests received before `keptSince`
/// are past retention (the janitor deletes rows of their own; a record
/// kept with its execution is no longer shown), and bodies are cut to
/// `bodyBytes`.
public struct RequestLogView: Sendable {
    public var keptSince: Timestamp
    public var bodyBytes: Int

    public init(keptSince: Timestamp, bodyBytes: Int) {
        self.keptSince = keptSince
        self.bodyBytes = bodyBytes
    }
}

/// The request log's storage (docs/request-log.md). Refused requests and
/// idempotent replays are rows of `request_log`, written in batches by a
/// background writer, never on a webhook's `202` path. A request that
/// created an execution is kept with the execution (`ExecutionRequestLog`,
/// written by `commitIngest`), and its record has the execution's id.
/// Reads merge the two, newest (highest id) first. Ids are UUIDv7, made
/// when the request arrived.
public protocol RequestLogStore: Sendable {
    /// Inserts a batch in one transaction.
    func recordRequests(_ records: [RequestRecord]) async throws
    /// A page of the team's records, newest (highest id) first.
    func requests(teamID: UUID, query: RequestLogQuery, view: RequestLogView) async throws -> [RequestRecord]
    func request(id: UUID, teamID: UUID, view: RequestLogView) async throws -> RequestRecord?
    /// The request that created an execution: the execution's own record,
    /// else (records from before that rule) the earliest row linked to
    /// it; later ones are idempotent replays.
    func requestID(executionID: UUID, teamID: UUID, view: RequestLogView) async throws -> UUID?
    /// Deletes up to `limit` rows received before `before`; returns how many.
    func deleteRequests(receivedBefore before: Timestamp, limit: Int) async throws -> Int
    /// How many of the team's records arrived in `[since, until)`, and how
    /// many of them were refused (a status of 400 or more); aggregates
    /// over ranges of (team_id, id), since ids are time-ordered.
    func requestCounts(teamID: UUID, since: Timestamp, until: Timestamp) async throws -> RequestCounts
}

extension RequestRecord {
    /// The record of a request that created `execution`, from what the
    /// execution row holds and what was kept with it. `body` is the
    /// stored body's first bytes and `storedBytes` its size.
    static func created(
        id: UUID, teamID: UUID, automationID: UUID, receivedAt: Timestamp, idempotencyKey: String?, sourceAddress: String?,
        contentType: String?, log: ExecutionRequestLog, body: [UInt8], storedBytes: Int, bodyBytes cap: Int
    ) -> RequestRecord {
        RequestRecord(
            id: id, teamID: teamID, automationID: automationID, receivedAt: receivedAt, status: 202, message: nil, executionID: id,
            idempotencyKey: idempotencyKey, sourceIP: sourceAddress, durationMillis: log.durationMillis,
            method: log.method, contentType: contentType.map { Truncation.text($0, maxBytes: 255) }, headers: log.headers,
            body: log.body.map { Array($0.prefix(cap)) } ?? body, bodyBytes: log.body == nil ? storedBytes : log.bodyBytes)
    }

    /// Newest first, `limit` at most: two pages, each newest first, made
    /// one. A row with the id of a record kept with its execution (written
    /// by a node from before that rule) is shown once.
    static func merged(_ rows: [RequestRecord], _ created: [RequestRecord], limit: Int) -> [RequestRecord] {
        var merged: [RequestRecord] = []
        merged.reserveCapacity(min(limit, rows.count + created.count))
        var (i, j) = (0, 0)
        while merged.count < limit, i < rows.count || j < created.count {
            if j == created.count || (i < rows.count && rows[i].id.lowercased >= created[j].id.lowercased) {
                if j < created.count, rows[i].id == created[j].id { j += 1 }
                merged.append(rows[i])
                i += 1
            } else {
                merged.append(created[j])
                j += 1
            }
        }
        return merged
    }
}

/// Recorded requests over a window (the console's overview).
public struct RequestCounts: Sendable, Equatable {
    public var received: Int
    public var refused: Int

    public init(received: Int, refused: Int) {
        self.received = received
        self.refused = refused
    }
}

/// Headers as stored: a JSON object, in the order received.
enum StoredRequestHeaders {
    static func write(_ headers: [RequestHeader], to output: inout String) {
        output += "{"
        for (index, header) in headers.enumerated() {
            if index > 0 { output += "," }
            JSONValue.writeString(header.name, to: &output)
            output += ":"
            JSONValue.writeString(header.value, to: &output)
        }
        output += "}"
    }

    /// Written directly (one string, no `JSONValue` tree): every logged
    /// request passes through here.
    static func serialize(_ headers: [RequestHeader]) -> String {
        var output = ""
        output.reserveCapacity(headers.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        write(headers, to: &output)
        return output
    }

    static func parse(_ text: String?, id: String) throws -> [RequestHeader] {
        guard let value = try StoredJSON.parse(text, table: "request_log", id: id, column: "headers") else { return [] }
        guard case .object(let object) = value else {
            throw StoreError.corrupt(table: "request_log", id: id, detail: "headers is not an object")
        }
        return headers(object)
    }

    static func headers(_ object: JSONObject) -> [RequestHeader] {
        object.map { RequestHeader(name: $0.key, value: $0.value.stringValue ?? "") }
    }
}

/// `executions.request_log` as stored: one JSON object, written directly
/// (every accepted webhook passes through here, on the group commit's
/// path).
enum StoredExecutionRequestLog {
    /// Only what the execution row cannot say: the method when it is not
    /// `POST` (only a `POST` creates one today), and the body as received
    /// with its size only when the execution's was converted. Every byte
    /// here is written by the ingest commit.
    static func serialize(_ log: ExecutionRequestLog) -> String {
        var output = "{\"duration_ms\":\(log.durationMillis),\"headers\":"
        output.reserveCapacity(48 + log.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        StoredRequestHeaders.write(log.headers, to: &output)
        if log.method != "POST" {
            output += ",\"method\":"
            JSONValue.writeString(log.method, to: &output)
        }
        if let body = log.body {
            output += ",\"body_bytes\":\(log.bodyBytes),\"body\":"
            JSONValue.writeString(String(decoding: body, as: UTF8.self), to: &output)
        }
        output += "}"
        return output
    }

    static func parse(_ text: String, id: String) throws -> ExecutionRequestLog {
        guard let object = try StoredJSON.parse(text, table: "executions", id: id, column: "request_log")?.objectValue,
            let duration = object["duration_ms"]?.intValue, let headers = object["headers"]?.objectValue
        else { throw StoreError.corrupt(table: "executions", id: id, detail: "request_log is not a request log entry") }
        return ExecutionRequestLog(
            method: object["method"]?.stringValue ?? "POST", headers: StoredRequestHeaders.headers(headers), durationMillis: duration,
            body: object["body"]?.stringValue.map { Array($0.utf8) }, bodyBytes: object["body_bytes"]?.intValue ?? 0)
    }
}
