import Foundation

/// A phone call the team scheduled (or a provider reported).
public struct Call: Sendable, Equatable {
    public var id: UUID
    public var teamID: UUID
    public var contactID: UUID?
    /// The execution waiting for this call, and its step.
    public var executionID: UUID?
    public var stepID: String?
    public var type: String
    /// A `CallProgress` raw value: `scheduled`, `in_progress`, `finished`, `cancelled`.
    public var progress: String
    /// The outcome once finished, stored as the provider gave it (nil
    /// before). Clients see `reportedStatus`.
    public var status: String?
    public var fromNumber: String
    public var toNumber: String
    public var scriptID: String
    public var scheduledTime: Timestamp
    public var startedAt: Timestamp?
    public var endedAt: Timestamp?
    public var duration: Int?
    public var endReason: String?
    public var callSummary: String?
    public var structuredData: JSONValue?
    public var successEvaluation: String?
    public var rating: Int?
    public var transcript: String?
    public var recordingURL: String?
    /// `[{name, achieved}]`.
    public var objectives: JSONValue?
    public var createdAt: Timestamp
    /// The object the call was created with (`create-phone-call`'s `object`).
    public var object: ObjectLink?

    /// A link to a stored object: its id, and its type and key so that the
    /// call can show the link without reading the object.
    public struct ObjectLink: Sendable, Equatable {
        public var id: UUID
        public var type: String
        public var key: String

        public init(id: UUID, type: String, key: String) {
            self.id = id
            self.type = type
            self.key = key
        }

        /// From the store's three nullable columns; nil unless all are set.
        public init?(storedID: String?, type: String?, key: String?) {
            guard let id = storedID.flatMap(UUID.init(canonical:)), let type, let key else { return nil }
            self.init(id: id, type: type, key: key)
        }

        public var json: JSONValue {
            .object(["id": .string(id.lowercased), "object_type": .string(type), "key": .string(key)])
        }
    }

    public init(
        id: UUID, teamID: UUID, contactID: UUID?, executionID: UUID?, stepID: String?, type: String = "outbound",
        progress: String = "scheduled", status: String? = nil, fromNumber: String, toNumber: String, scriptID: String,
        scheduledTime: Timestamp, startedAt: Timestamp? = nil, endedAt: Timestamp? = nil, duration: Int? = nil, endReason: String? = nil,
        callSummary: String? = nil, structuredData: JSONValue? = nil, successEvaluation: String? = nil, rating: Int? = nil,
        transcript: String? = nil, recordingURL: String? = nil, objectives: JSONValue? = nil, createdAt: Timestamp,
        object: ObjectLink? = nil
    ) {
        self.id = id
        self.teamID = teamID
        self.contactID = contactID
        self.executionID = executionID
        self.stepID = stepID
        self.type = type
        self.progress = progress
        self.status = status
        self.fromNumber = fromNumber
        self.toNumber = toNumber
        self.scriptID = scriptID
        self.scheduledTime = scheduledTime
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.duration = duration
        self.endReason = endReason
        self.callSummary = callSummary
        self.structuredData = structuredData
        self.successEvaluation = successEvaluation
        self.rating = rating
        self.transcript = transcript
        self.recordingURL = recordingURL
        self.objectives = objectives
        self.createdAt = createdAt
        self.object = object
    }

    /// A new call's id and creation time, which agree to the millisecond.
    /// The calls list is ordered by id and its cursor is a date-time made
    /// of the id (`DateTimeCursor`), so that date-time must be the call's
    /// `created_at`, or a client's own date-time cursor and the
    /// `created_before` filter would disagree about the same call. The
    /// generator keeps ids increasing and may stamp one after `now` (an id
    /// for a later `now` came first, or the clock stepped back); the call
    /// is then created at its id's time, never before it.
    public static func newIdentity(now: Timestamp, generator: UUIDv7Generator = .shared) -> (id: UUID, createdAt: Timestamp) {
        let id = generator.next(nowMillis: UInt64(max(0, now.millis)))
        return (id, Timestamp(millis: id.v7Millis))
    }

    /// The one `status` clients see, in every response, filter and
    /// context: the provider's outcome once the call has finished (stored as
    /// given: `completed`, `voicemail`, …), and until then, or when a
    /// finished call has no outcome, its progress (`scheduled`,
    /// `in_progress`, `cancelled`, `finished`). The stores filter on the
    /// same expression, `COALESCE(status, progress)`.
    public var reportedStatus: String { status ?? progress }

    /// `call.*` in the context after the call.
    public var contextJSON: JSONValue {
        .object([
            "id": .string(id.lowercased),
            "status": .string(reportedStatus),
            "end_reason": endReason.json,
            "duration": duration.map { .int($0) } ?? .null,
            "call_summary": callSummary.json,
            "structured_data": structuredData ?? .null,
            "success_evaluation": successEvaluation.json,
            "rating": rating.map { .int($0) } ?? .null,
        ])
    }

    /// The full API shape.
    public var json: JSONValue {
        .object([
            "id": .string(id.lowercased),
            "type": .string(type),
            "progress": .string(progress),
            "status": .string(reportedStatus),
            "from_number": .string(fromNumber),
            "to_number": .string(toNumber),
            "contact_id": contactID?.lowercased.json ?? .null,
            "script_id": .string(scriptID),
            "scheduled_time": .string(scheduledTime.rfc3339),
            "started_at": startedAt?.rfc3339.json ?? .null,
            "ended_at": endedAt?.rfc3339.json ?? .null,
            "duration": duration.map { .int($0) } ?? .null,
            "end_reason": endReason.json,
            "call_summary": callSummary.json,
            "structured_data": structuredData ?? .null,
            "success_evaluation": successEvaluation.json,
            "rating": rating.map { .int($0) } ?? .null,
            "execution_id": executionID?.lowercased.json ?? .null,
            "created_at": .string(createdAt.rfc3339),
            "object": object?.json ?? .null,
        ])
    }

    /// The API shape with the call's results (`get-call-result`).
    public var resultJSON: JSONValue {
        guard case .object(var object) = json else { return json }
        object["transcript"] = transcript.json
        object["recording_url"] = recordingURL.json
        object["objectives"] = objectives ?? .array([])
        return .object(object)
    }
}
