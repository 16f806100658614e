import Foundation
import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

/// The product's public REST API around the webhook, with its verb-style
/// paths, so that clients written against the public reference work
/// unchanged: contacts, calls, lists and objects. Everything is scoped to
/// the API key's team; another team's resource is a `404`.
struct PublicAPIController {
    let store: any DirectoryStore & ExecutionStore
    let defaultRegion: String
    let clock: @Sendable () -> Timestamp

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.post("/create-contact", use: createContact)
        group.get("/contacts", use: listContacts)
        group.get("/get-contact/:contact_id", use: showContact)
        group.post("/create-phone-call", use: createCall)
        group.get("/get-call/:call_id", use: showCall)
        group.get("/get-call-result/:call_id", use: showCallResult)
        group.get("/calls", use: listCalls)
        group.post("/cancel-call/:call_id", use: cancelCall)
        group.patch("/reschedule-call/:call_id", use: rescheduleCall)
        group.post("/create-list", use: createList)
        group.post("/add-contacts-to-list/:list_id", use: addToList)
        group.post("/add-contact-to-list/:list_id", use: addToList)
        group.post("/upsert-object", use: upsertObject)
    }

    // MARK: Contacts

    @Sendable func createContact(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let fields = try contactFields(try await request.jsonObjectBody(), field: "")
        guard let contact = try await store.insertContact(teamID: teamID, fields: fields, now: clock()) else {
            throw APIError(.conflict, "A contact with this phone number already exists")
        }
        return JSONResponse.make(.created, .object(["success": true, "contact": contact.json]))
    }

    @Sendable func listContacts(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let parameters = QueryParsing.parameters(request.uri.query)
        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        var query = ContactQuery()
        query.limit = try QueryParsing.limit(parameters["limit"])
        query.before = try QueryParsing.uuid(text("cursor"), name: "cursor")
        query.email = text("email")
        if let phone = text("phone_number") {
            query.phoneNumber = try normalisedPhone(phone, field: "phone_number")
        }
        let contacts = try await store.contacts(teamID: teamID, query: query)
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "contacts": .array(contacts.map(\.json)),
                "meta": .object(["next_cursor": contacts.count == query.limit ? (contacts.last?.id.lowercased.json ?? .null) : .null]),
            ]))
    }

    @Sendable func showContact(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let id = context.parameters.get("contact_id").flatMap(UUID.init(uuidString:)),
            let contact = try await store.contact(id: id, teamID: teamID)
        else { throw APIError.notFound("Contact") }
        return JSONResponse.make(.ok, .object(["success": true, "contact": contact.json]))
    }

    // MARK: Calls

    @Sendable func createCall(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let body = try await request.jsonObjectBody()
        guard let scriptValue = body["script_id"], !scriptValue.isNull else { throw APIError.badRequest("script_id is required") }
        // Lengths count Unicode scalars, as JSON Schema's maxLength does.
        guard let scriptID = scriptValue.stringValue, !scriptID.isEmpty, scriptID.unicodeScalars.count <= 255 else {
            throw APIError.badRequest("script_id must be a string of 1 to 255 characters")
        }
        guard let fromValue = body["from_number"], !fromValue.isNull else { throw APIError.badRequest("from_number is required") }
        guard let fromText = fromValue.stringValue else { throw APIError.badRequest("from_number must be a string") }
        let from = try normalisedPhone(fromText, field: "from_number")
        guard let contactObject = body["contact"]?.objectValue else {
            throw APIError.badRequest("contact is required: an object with phone_number, first_name, last_name")
        }
        let fields = try contactFields(contactObject, field: "contact.")
        let now = clock()
        let scheduled = try Self.time(body["scheduled_time"], field: "scheduled_time") ?? now
        // Validated before anything is written, like the rest of the body.
        var objectInput: ObjectInput?
        if let value = body["object"], !value.isNull {
            guard let object = value.objectValue else {
                throw APIError.badRequest("object must be an object with type, data and optionally upsert_key")
            }
            objectInput = try Self.objectInput(
                type: object["type"], data: object["data"], upsertKey: object["upsert_key"], prefix: "object.", typeField: "type")
        }
        var storedObject: JSONValue?
        var link: Call.ObjectLink?
        if let objectInput {
            let (object, _) = try await store.upsertObject(
                teamID: teamID, type: objectInput.type, key: objectInput.key, data: objectInput.data, now: now)
            guard let id = object["id"]?.stringValue.flatMap(UUID.init(canonical:)) else { throw APIError.internalError }
            storedObject = object
            link = Call.ObjectLink(id: id, type: objectInput.type, key: objectInput.key)
        }
        let contact = try await store.upsertContact(teamID: teamID, matchOnEmail: false, fields: fields, now: now).contact
        // contactFields requires the number, so the stored contact has it.
        guard let to = contact.phoneNumber else { throw APIError.internalError }
        let identity = Call.newIdentity(now: now)
        let call = Call(
            id: identity.id, teamID: teamID, contactID: contact.id, executionID: nil, stepID: nil,
            fromNumber: from, toNumber: to, scriptID: scriptID, scheduledTime: max(scheduled, now), createdAt: identity.createdAt,
            object: link)
        try await store.createCall(call)
        var response: JSONObject = ["success": true, "call_id": .string(call.id.lowercased), "call": call.json]
        if let storedObject { response["object"] = storedObject }
        return JSONResponse.make(.created, .object(response))
    }

    @Sendable func showCall(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let call = try await ownCall(context)
        return JSONResponse.make(.ok, .object(["success": true, "call": call.json]))
    }

    @Sendable func showCallResult(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let call = try await ownCall(context)
        return JSONResponse.make(.ok, .object(["success": true, "call": call.resultJSON]))
    }

    @Sendable func listCalls(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let parameters = QueryParsing.parameters(request.uri.query)
        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        var query = CallQuery()
        query.limit = try QueryParsing.limit(parameters["limit"])
        query.before = try Self.callCursor(text("cursor"))
        query.contactID = try QueryParsing.uuid(text("contact_id"), name: "contact_id")
        query.createdAfter = try QueryParsing.time(text("created_after"), name: "created_after")
        query.createdBefore = try QueryParsing.time(text("created_before"), name: "created_before")
        query.status = text("status")
        query.scriptID = text("script_id")
        if let type = text("type") {
            guard ["outbound", "inbound", "web"].contains(type) else {
                throw APIError.badRequest("type must be one of: outbound, inbound, web")
            }
            query.type = type
        }
        if let progress = text("progress") {
            guard let known = CallProgress(rawValue: progress) else {
                throw APIError.badRequest("progress must be one of: \(CallProgress.listed)")
            }
            query.progress = known.rawValue
        }
        let limit = query.limit
        query.limit = limit + 1  // one more, to know whether a next page exists and where it starts
        let (calls, nextCursor) = Self.callPage(try await store.calls(teamID: teamID, query: query), limit: limit)
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "calls": .array(calls.map(\.json)),
                "meta": .object(["next_cursor": nextCursor.map(JSONValue.string) ?? .null]),
            ]))
    }

    /// One page of calls out of `limit + 1` fetched (newest first), and the
    /// cursor of the next page, nil when there is none.
    ///
    /// A page ends at a millisecond boundary when it can: the calls of the
    /// millisecond that continues on the next page are left to that page,
    /// and the cursor is the next millisecond's start in plain RFC 3339
    /// (`…SS.mmmZ`, "calls created before this instant"). A client that
    /// reads the cursor into a date type keeping milliseconds and writes
    /// it back then loses nothing. Only a page whose calls all share that
    /// one millisecond (more calls in it than the page holds) gets the
    /// exact cursor with the tie-break digits (`DateTimeCursor`), which
    /// must go back as text.
    static func callPage(_ fetched: [Call], limit: Int) -> (calls: [Call], nextCursor: String?) {
        guard fetched.count > limit, let last = fetched.prefix(limit).last else { return (Array(fetched.prefix(limit)), nil) }
        let page = fetched.prefix(limit)
        let continuing = fetched[limit].id.v7Millis
        let whole = page.prefix { $0.id.v7Millis != continuing }
        if whole.isEmpty { return (Array(page), DateTimeCursor.encode(last.id)) }
        return (Array(whole), Timestamp(millis: continuing + 1).rfc3339)
    }

    @Sendable func cancelCall(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let call = try await ownCall(context)
        // A call that is no longer scheduled is a bad request (`400`), the
        // status the product's reference lists for this endpoint.
        guard call.progress == CallProgress.scheduled.rawValue else {
            throw APIError.badRequest("Only a scheduled call can be cancelled; this one is \(call.progress)")
        }
        guard let cancelled = try await store.cancelCall(id: call.id, teamID: teamID, now: clock()) else { throw APIError.notFound("Call") }
        guard cancelled.progress == CallProgress.cancelled.rawValue else {
            throw APIError.badRequest("Only a scheduled call can be cancelled; this one is \(cancelled.progress)")
        }
        // `status` is the field get-call shows under that name.
        return JSONResponse.make(
            .ok,
            .object([
                "success": true, "call_id": .string(call.id.lowercased), "status": .string(cancelled.reportedStatus),
                "progress": .string(cancelled.progress),
            ]))
    }

    @Sendable func rescheduleCall(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let call = try await ownCall(context)
        var request = request
        let body = try await request.jsonObjectBody()
        guard let time = try Self.time(body["scheduled_time"], field: "scheduled_time") else {
            throw APIError.badRequest("scheduled_time is required")
        }
        guard call.progress == CallProgress.scheduled.rawValue else {
            throw APIError.badRequest("Only a scheduled call can be rescheduled; this one is \(call.progress)")
        }
        guard let moved = try await store.rescheduleCall(id: call.id, teamID: teamID, to: time) else { throw APIError.notFound("Call") }
        // The store moves only a scheduled call: one that left `scheduled` during the request keeps its time.
        guard moved.progress == CallProgress.scheduled.rawValue, moved.scheduledTime == time else {
            throw APIError.badRequest("Only a scheduled call can be rescheduled; this one is \(moved.progress)")
        }
        return JSONResponse.make(
            .ok,
            .object([
                "success": true, "call_id": .string(call.id.lowercased), "status": .string(moved.reportedStatus),
                "progress": .string(moved.progress), "scheduled_time": .string(moved.scheduledTime.rfc3339),
            ]))
    }

    // MARK: Lists

    @Sendable func createList(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let body = try await request.jsonObjectBody()
        guard let raw = body["name"]?.stringValue, raw.unicodeScalars.count <= 255,
            case let name = raw.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty
        else {
            throw APIError.badRequest("name is required: 1 to 255 characters")
        }
        // As an automation's name: a NUL would end the text where SQLite reads it back.
        guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("name must not contain control characters")
        }
        let list = try await store.createList(teamID: teamID, name: name, now: clock())
        return JSONResponse.make(.created, .object(["success": true, "list_id": .string(list.id.lowercased), "list": Self.json(list)]))
    }

    /// Creates or reuses each contact by phone number and adds it once.
    @Sendable func addToList(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let listID = context.parameters.get("list_id").flatMap(UUID.init(uuidString:)),
            try await store.list(id: listID, teamID: teamID) != nil
        else { throw APIError.notFound("List") }
        var request = request
        let body = try await request.jsonObjectBody()
        let entries: [JSONValue]
        if let many = body["contacts"], !many.isNull, many.arrayValue == nil {
            throw APIError.badRequest("contacts must be an array")
        } else if let many = body["contacts"]?.arrayValue {
            entries = many
        } else if let one = body["contact"], one.objectValue != nil {
            entries = [one]
        } else {
            throw APIError.badRequest("Send contacts (an array) or contact (an object)")
        }
        guard !entries.isEmpty, entries.count <= 1000 else { throw APIError.badRequest("contacts must hold 1 to 1000 contacts") }
        // Validate everything before writing anything.
        var fieldsList: [ContactFields] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue else { throw APIError.badRequest("contacts[\(index)] must be an object") }
            fieldsList.append(try contactFields(object, field: "contacts[\(index)]."))
        }
        let now = clock()
        var ids: [UUID] = []
        var created = 0
        for fields in fieldsList {
            if let existing = try await store.contacts(teamID: teamID, query: ContactQuery(phoneNumber: fields.phoneNumber, limit: 1)).first
            {
                ids.append(existing.id)
            } else if let contact = try await store.insertContact(teamID: teamID, fields: fields, now: now) {
                ids.append(contact.id)
                created += 1
            } else if let raced = try await store.contacts(teamID: teamID, query: ContactQuery(phoneNumber: fields.phoneNumber, limit: 1))
                .first
            {
                ids.append(raced.id)
            }
        }
        let (added, present) = try await store.addToList(listID: listID, contactIDs: ids, now: now)
        let list = try await store.list(id: listID, teamID: teamID)
        return JSONResponse.make(
            .ok,
            .object([
                "success": true, "list_id": .string(listID.lowercased),
                "added": .int(added), "already_present": .int(present), "contacts_created": .int(created),
                "contact_ids": .array(ids.map { .string($0.lowercased) }),
                "list": list.map(Self.json) ?? .null,
            ]))
    }

    // MARK: Objects

    @Sendable func upsertObject(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let body = try await request.jsonObjectBody()
        let input = try Self.objectInput(
            type: body["object_type"], data: body["data"], upsertKey: body["upsert_key"], prefix: "", typeField: "object_type")
        let (object, created) = try await store.upsertObject(
            teamID: teamID, type: input.type, key: input.key, data: input.data, now: clock())
        return JSONResponse.make(created ? .created : .ok, .object(["success": true, "object": object]))
    }

    /// An object to upsert, validated.
    struct ObjectInput {
        var type: String
        var key: String
        var data: JSONValue
    }

    /// The checks of `upsert-object`, shared with `create-phone-call`'s
    /// `object`; `prefix` names the enclosing field in messages.
    static func objectInput(type: JSONValue?, data: JSONValue?, upsertKey: JSONValue?, prefix: String, typeField: String) throws
        -> ObjectInput
    {
        guard let type = type?.stringValue, AutomationDefinition.isValidObjectType(type) else {
            throw APIError.badRequest("\(prefix)\(typeField) is required: 1 to 64 of a-z, 0-9 and _")
        }
        guard let data, data.objectValue != nil else { throw APIError.badRequest("\(prefix)data must be an object") }
        var paths = ObjectKey.defaultPaths
        if let keyPath = upsertKey, !keyPath.isNull {
            guard let text = keyPath.stringValue, text.hasPrefix("$."), text.count > 2 else {
                throw APIError.badRequest("\(prefix)upsert_key must be a key path such as $.id")
            }
            paths = [text]
        }
        guard let (_, key) = ObjectKey.find(in: data, paths: paths) else {
            throw APIError.badRequest("\(prefix)data has no key at \(paths.joined(separator: " or "))")
        }
        return ObjectInput(type: type, key: key, data: data)
    }

    /// `cursor` on `GET /calls`: an RFC 3339 date-time (`meta.next_cursor`,
    /// see `DateTimeCursor`), or a call id as the cursor was before.
    static func callCursor(_ text: String?) throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        if let id = UUID(uuidString: text) { return id }
        guard let id = DateTimeCursor.decode(text) else {
            throw APIError.badRequest(
                "cursor must be an RFC 3339 date-time such as 2026-01-31T09:00:00Z: meta.next_cursor of the previous page")
        }
        return id
    }

    // MARK: Helpers

    private func ownCall(_ context: VoxworksRequestContext) async throws -> Call {
        let teamID = try context.requireTeam()
        guard let id = context.parameters.get("call_id").flatMap(UUID.init(uuidString:)),
            let call = try await store.call(id: id, teamID: teamID)
        else { throw APIError.notFound("Call") }
        return call
    }

    private func normalisedPhone(_ raw: String, field: String) throws -> String {
        do {
            return try PhoneNumber.normalize(raw, defaultRegion: defaultRegion)
        } catch {
            throw APIError.badRequest("\(field): \(error.message)")
        }
    }

    /// A contact in a request; the phone number is required and normalised to E.164.
    private func contactFields(_ object: JSONObject, field prefix: String) throws -> ContactFields {
        func text(_ key: String) throws -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let value)?:
                // The length as sent, in Unicode scalars (JSON Schema's maxLength).
                guard value.unicodeScalars.count <= 255 else { throw APIError.badRequest("\(prefix)\(key) is longer than 255 characters") }
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? nil : trimmed
            default: throw APIError.badRequest("\(prefix)\(key) must be a string")
            }
        }
        guard let phone = try text("phone_number") else { throw APIError.badRequest("\(prefix)phone_number is required") }
        return ContactFields(
            phoneNumber: try normalisedPhone(phone, field: "\(prefix)phone_number"), firstName: try text("first_name"),
            lastName: try text("last_name"), email: try text("email"), title: try text("title"), address: try text("address"),
            location: try text("location"))
    }

    static func time(_ value: JSONValue?, field: String) throws -> Timestamp? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let time = Timestamp(rfc3339: text) else {
                throw APIError.badRequest("\(field) must be an RFC 3339 time such as 2026-01-31T09:00:00Z")
            }
            return time
        default: throw APIError.badRequest("\(field) must be an RFC 3339 time string")
        }
    }

    static func json(_ list: ContactList) -> JSONValue {
        .object([
            "id": .string(list.id.lowercased), "name": .string(list.name), "contact_count": .int(list.contactCount),
            "created_at": .string(list.createdAt.rfc3339),
        ])
    }
}
