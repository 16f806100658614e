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

    /// The id below which no record received at or after `since` sorts:
    /// record ids are UUIDv7 made at or after the request's arrival, like
    /// execution ids, so retention and `created_after` are ranges of ids.
    public static func lowestID(receivedSince since: Timestamp) -> String {
        ExecutionOverview.lowestID(receivedSince: since)
    }
}

/// The request log's storage (docs/request-log.md). Written in batches by
/// a background writer, never on a webhook's `202` path. The record of a
/// request that created an execution has that execution's id (so the
/// execution finds it by primary key); other records have ids of their
/// own. Ids are UUIDv7, made when the request arrived.
public protocol RequestLogStore: Sendable {
    /// Inserts a batch in one transaction.
    func recordRequests(_ records: [RequestRecord]) async throws
    /// A page of the team's records, newest (highest id) first.
    func requests(teamID: UUID, query: RequestLogQuery) async throws -> [RequestRecord]
    func request(id: UUID, teamID: UUID) async throws -> RequestRecord?
    /// The request that created an execution: the record with the
    /// execution's id, else (records from before that rule) the earliest
    /// one linked to it; later ones are idempotent replays.
    func requestID(executionID: UUID, teamID: UUID) async throws -> UUID?
    /// Deletes up to `limit` records received before `before`; returns how many.
    func deleteRequests(receivedBefore before: Timestamp, limit: Int) async throws -> Int
    /// How many of the team's records arrived in `[since, until)`, and how
    /// many of them were refused (a status of 400 or more); one aggregate
    /// over a range of (team_id, id), since ids are time-ordered.
    func requestCounts(teamID: UUID, since: Timestamp, until: Timestamp) async throws -> RequestCounts
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
    /// Written directly (one string, no `JSONValue` tree): every logged
    /// request passes through here.
    static func serialize(_ headers: [RequestHeader]) -> String {
        var output = "{"
        output.reserveCapacity(headers.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        for (index, header) in headers.enumerated() {
            if index > 0 { output += "," }
            JSONValue.writeString(header.name, to: &output)
            output += ":"
            JSONValue.writeString(header.value, to: &output)
        }
        output += "}"
        return output
    }

    static func parse(_ text: String?, id: String) throws -> [RequestHeader] {
        guard let value = try StoredJSON.parse(text, table: "request_log", id: id, column: "headers") else { return [] }
        guard case .object(let object) = value else {
            throw StoreError.corrupt(table: "request_log", id: id, detail: "headers is not an object")
        }
        return object.map { RequestHeader(name: $0.key, value: $0.value.stringValue ?? "") }
    }
}
