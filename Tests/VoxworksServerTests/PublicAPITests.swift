import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// The public REST API: the product's verb-style paths and shapes.
@Suite struct PublicAPITests {
    static func post(_ client: any TestClientProtocol, _ uri: String, key: String, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: bearer(key), body: ByteBuffer(string: body))
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, key: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: bearer(key))
    }

    @Test(arguments: StoreKind.available)
    func contactsAreCreatedOnceByNormalisedNumberAndFound(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let created = try await Self.post(
                client, "/api/v1/create-contact", key: harness.apiKey,
                #"{"phone_number":"0429 069 971","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","title":"Countess"}"#)
            #expect(created.status == .created)
            let contact = try #require(try created.json["contact"])
            #expect(contact["phone_number"] == "+61429069971")
            #expect(contact["full_name"] == "Ada Lovelace")
            #expect(contact["title"] == "Countess")
            for key in ["id", "first_name", "last_name", "email", "address", "location", "created_at", "updated_at"] {
                #expect(contact[key] != nil, "missing \(key)")
            }
            let id = try #require(contact["id"]?.stringValue)

            // The same number in another format is a conflict; in another team it is not.
            try expectError(
                try await Self.post(client, "/api/v1/create-contact", key: harness.apiKey, #"{"phone_number":"+61 429 069 971"}"#),
                .conflict, message: "A contact with this phone number already exists")
            #expect(
                try await Self.post(client, "/api/v1/create-contact", key: other.apiKey, #"{"phone_number":"0429069971"}"#).status
                    == .created)

            for (body, message) in [
                (#"{"first_name":"x"}"#, "phone_number is required"),
                (#"{"phone_number":"not a phone"}"#, nil),
                (#"{"phone_number":"0429069972","email":5}"#, "email must be a string"),
                ("[]", "Request body must be a JSON object"),
            ] {
                try expectError(
                    try await Self.post(client, "/api/v1/create-contact", key: harness.apiKey, body), .badRequest, message: message)
            }

            let shown = try await Self.get(client, "/api/v1/get-contact/\(id)", key: harness.apiKey)
            #expect(try shown.json["contact"]?["id"]?.stringValue == id)
            try expectError(
                try await Self.get(client, "/api/v1/get-contact/\(id)", key: other.apiKey), .notFound, message: "Contact not found")
            try expectError(try await Self.get(client, "/api/v1/get-contact/nope", key: harness.apiKey), .notFound)

            let byPhone = try await Self.get(client, "/api/v1/contacts?phone_number=0429069971", key: harness.apiKey)
            #expect(try byPhone.json["contacts"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            // Form encoding: `+` is a space (what URLSearchParams and requests send), `%2B` a plus.
            let spaced = try await Self.get(client, "/api/v1/contacts?phone_number=0429+069+971", key: harness.apiKey)
            #expect(try spaced.json["contacts"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            let plus = try await Self.get(client, "/api/v1/contacts?phone_number=%2B61+429+069+971", key: harness.apiKey)
            #expect(try plus.json["contacts"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            let byEmail = try await Self.get(client, "/api/v1/contacts?email=ADA@example.com", key: harness.apiKey)
            #expect(try byEmail.json["contacts"]?.arrayValue?.count == 1)
            let none = try await Self.get(client, "/api/v1/contacts?email=nobody@example.com", key: harness.apiKey)
            #expect(try none.json["contacts"] == .array([]))
        }
    }

    @Test(arguments: StoreKind.available)
    func callPagingNeitherSkipsNorRepeatsWhileCallsAreAdded(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            func create(_ n: Int) async throws -> String {
                let response = try await Self.post(
                    client, "/api/v1/create-phone-call", key: harness.apiKey,
                    """
                    {"from_number":"+61291234567","script_id":"s\(n % 2)","contact":{"phone_number":"04290699\(String(format: "%02d", n))","first_name":"N\(n)"},
                     "scheduled_time":"2099-01-01T00:00:00Z"}
                    """)
                #expect(response.status == .created, "\(response.text)")
                return try #require(try response.json["call_id"]?.stringValue)
            }
            var existing: [String] = []
            for n in 0..<7 { existing.append(try await create(n)) }
            var seen: [String] = []
            var cursor: String?
            var page = 0
            repeat {
                let response = try await Self.get(
                    client, "/api/v1/calls?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), key: harness.apiKey)
                seen += try response.json["calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = try response.json["meta"]?["next_cursor"]?.stringValue
                // New calls arrive while paging.
                if page < 2 { _ = try await create(20 + page) }
                page += 1
            } while cursor != nil
            #expect(seen == existing.reversed())
            let filtered = try await Self.get(
                client, "/api/v1/calls?script_id=s1&progress=scheduled&type=outbound&limit=100", key: harness.apiKey)
            #expect(try filtered.json["calls"]?.arrayValue?.allSatisfy { $0["script_id"] == "s1" } == true)
            for bad in ["?type=carrier-pigeon", "?progress=done", "?limit=500", "?contact_id=x", "?created_after=soon"] {
                try expectError(try await Self.get(client, "/api/v1/calls\(bad)", key: harness.apiKey), .badRequest)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func cancelAndRescheduleOnlyScheduledCalls(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let created = try await Self.post(
                client, "/api/v1/create-phone-call", key: harness.apiKey,
                #"{"from_number":"0291234567","script_id":"sales","contact":{"phone_number":"0412345678"},"scheduled_time":"2099-01-01T09:00:00Z"}"#
            )
            let call = try #require(try created.json["call"])
            let id = try #require(call["id"]?.stringValue)
            #expect(call["progress"] == "scheduled")
            #expect(call["from_number"] == "+61291234567")
            #expect(call["to_number"] == "+61412345678")
            #expect(call["scheduled_time"] == "2099-01-01T09:00:00.000Z")
            #expect(call["type"] == "outbound")

            #expect(call["status"] == "scheduled")
            let moved = try await client.execute(
                uri: "/api/v1/reschedule-call/\(id)", method: .patch, headers: bearer(harness.apiKey),
                body: ByteBuffer(string: #"{"scheduled_time":"2099-02-01T10:30:00Z"}"#))
            #expect(
                try moved.json
                    == .object([
                        "success": true, "call_id": .string(id), "status": "scheduled", "progress": "scheduled",
                        "scheduled_time": "2099-02-01T10:30:00.000Z",
                    ]))
            try expectError(
                try await client.execute(
                    uri: "/api/v1/reschedule-call/\(id)", method: .patch, headers: bearer(harness.apiKey),
                    body: ByteBuffer(string: #"{"scheduled_time":"tomorrow"}"#)), .badRequest)
            try expectError(try await Self.post(client, "/api/v1/cancel-call/\(id)", key: other.apiKey, ""), .notFound)

            let cancelled = try await Self.post(client, "/api/v1/cancel-call/\(id)", key: harness.apiKey, "")
            #expect(
                try cancelled.json == .object(["success": true, "call_id": .string(id), "status": "cancelled", "progress": "cancelled"]))
            // A call that is not scheduled any more: 400 with the reason, for both actions.
            try expectError(
                try await Self.post(client, "/api/v1/cancel-call/\(id)", key: harness.apiKey, ""), .badRequest,
                message: "Only a scheduled call can be cancelled; this one is cancelled")
            try expectError(
                try await client.execute(
                    uri: "/api/v1/reschedule-call/\(id)", method: .patch, headers: bearer(harness.apiKey),
                    body: ByteBuffer(string: #"{"scheduled_time":"2099-03-01T00:00:00Z"}"#)), .badRequest,
                message: "Only a scheduled call can be rescheduled; this one is cancelled")
            // get-call shows the same `status` the action answered.
            let shown = try #require(try await Self.get(client, "/api/v1/get-call/\(id)", key: harness.apiKey).json["call"])
            #expect(shown["progress"] == "cancelled")
            #expect(shown["status"] == "cancelled")
            #expect(shown["scheduled_time"] == "2099-02-01T10:30:00.000Z")

            for body in [
                #"{"script_id":"s","contact":{"phone_number":"0412345678"}}"#,
                #"{"from_number":"+61291234567","contact":{"phone_number":"0412345678"}}"#,
                #"{"from_number":"+61291234567","script_id":"s"}"#,
                #"{"from_number":"+61291234567","script_id":"s","contact":{"phone_number":"0412345678"},"scheduled_time":7}"#,
            ] {
                try expectError(try await Self.post(client, "/api/v1/create-phone-call", key: harness.apiKey, body), .badRequest)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func aCallCreatedThroughTheAPIFinishesAndFiresCallCompletedAutomations(_ kind: StoreKind) async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        let harness = try await Self.callCompletedHarness(
            kind,
            definition: """
                        {"trigger":{"type":"call_completed","script_ids":["api-script"]},"steps":[
                          {"id":"tell","type":"http_request","url":"\(receiver.url("/after-call"))","body":{"call":"{{trigger.call_id}}","name":"{{contact.full_name}}"}}]}
                """)
        try await harness.application().test(.live) { client in
            let created = try await Self.post(
                client, "/api/v1/create-phone-call", key: harness.apiKey,
                #"{"from_number":"+61291234567","script_id":"api-script","contact":{"phone_number":"0429069971","first_name":"Ada","last_name":"L"}}"#
            )
            let callID = try #require(try created.json["call_id"]?.stringValue)
            let fired = try await EndToEndTests.waitFor(.seconds(15)) { receiver.requests(to: "/after-call").count == 1 }
            #expect(fired)
            let body = try JSONParser().parse(receiver.requests(to: "/after-call").first?.body ?? "{}")
            #expect(body == .object(["call": .string(callID), "name": "Ada L"]))
            let result = try await Self.get(client, "/api/v1/get-call-result/\(callID)", key: harness.apiKey)
            let call = try #require(try result.json["call"])
            #expect(call["progress"] == "finished")
            #expect(call["status"] == "completed")
            #expect(call["call_summary"]?.stringValue?.hasPrefix("Simulated call") == true)
            #expect(call["transcript"]?.stringValue?.isEmpty == false)
            #expect(call["objectives"]?.arrayValue?.first?["achieved"] == true)
            #expect(call["success_evaluation"] == "successful")
            #expect(call["recording_url"] == .null)
        }
    }

    /// `status` is one field: what the actions answer, what get-call shows
    /// and what the `status` filter matches, before and after a call ends.
    @Test(arguments: StoreKind.available)
    func theStatusFilterMatchesTheStatusClientsSee(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            func create(_ phone: String) async throws -> String {
                let response = try await Self.post(
                    client, "/api/v1/create-phone-call", key: harness.apiKey,
                    #"{"from_number":"+61291234567","script_id":"s","contact":{"phone_number":"\#(phone)"},"scheduled_time":"2099-01-01T00:00:00Z"}"#
                )
                return try #require(try response.json["call_id"]?.stringValue)
            }
            let waiting = try await create("0412000101")
            let cancelled = try await create("0412000102")
            let voicemail = try await create("0412000103")
            let silent = try await create("0412000104")
            #expect(try await Self.post(client, "/api/v1/cancel-call/\(cancelled)", key: harness.apiKey, "").status == .ok)
            // Two calls end: one with the provider's outcome, one without any.
            for (id, outcome) in [(voicemail, "voicemail" as String?), (silent, nil)] {
                let callID = try #require(UUID(uuidString: id))
                var call = try #require(try await harness.store.call(id: callID))
                call.progress = CallProgress.finished.rawValue
                call.status = outcome
                try await harness.store.finishCall(call, now: .now())
            }
            func ids(_ query: String) async throws -> Set<String> {
                let response = try await Self.get(client, "/api/v1/calls?limit=100&\(query)", key: harness.apiKey)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return Set(try response.json["calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            }
            #expect(try await ids("status=scheduled") == [waiting])
            #expect(try await ids("status=cancelled") == [cancelled])
            #expect(try await ids("status=voicemail") == [voicemail])
            #expect(try await ids("status=finished") == [silent])
            #expect(try await ids("progress=finished") == [voicemail, silent])
            #expect(try await ids("progress=cancelled") == [cancelled])
            #expect(try await ids("progress=scheduled&status=scheduled") == [waiting])
            // Every listed call shows the status it was filtered by.
            for (id, status) in [(waiting, "scheduled"), (cancelled, "cancelled"), (voicemail, "voicemail"), (silent, "finished")] {
                #expect(
                    try await Self.get(client, "/api/v1/get-call/\(id)", key: harness.apiKey).json["call"]?["status"] == .string(status))
            }
        }
    }

    /// Many calls created in one millisecond, whose ids differ only in
    /// their random bits: paging by the date-time cursor returns each once,
    /// in id order, and every cursor is an RFC 3339 date-time of that
    /// millisecond that goes back unchanged.
    @Test(arguments: StoreKind.available)
    func theCallCursorIsADateTimeAndPagesThroughCallsSharingOneMillisecond(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let millis: Int64 = 1_796_000_000_123
        func id(millis: Int64) -> UUID {
            var random = SystemRandomNumberGenerator()
            let a = random.next() as UInt64, b = random.next() as UInt64
            let m = UInt64(millis)
            return UUID(
                uuid: (
                    UInt8(truncatingIfNeeded: m >> 40), UInt8(truncatingIfNeeded: m >> 32), UInt8(truncatingIfNeeded: m >> 24),
                    UInt8(truncatingIfNeeded: m >> 16), UInt8(truncatingIfNeeded: m >> 8), UInt8(truncatingIfNeeded: m),
                    0x70 | UInt8(truncatingIfNeeded: a >> 8) & 0x0F, UInt8(truncatingIfNeeded: a),
                    0x80 | UInt8(truncatingIfNeeded: b >> 56) & 0x3F, UInt8(truncatingIfNeeded: b >> 48),
                    UInt8(truncatingIfNeeded: b >> 40),
                    UInt8(truncatingIfNeeded: b >> 32), UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 16),
                    UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b)
                ))
        }
        func call(_ id: UUID, millis: Int64) -> Call {
            Call(
                id: id, teamID: harness.teamID, contactID: nil, executionID: nil, stepID: nil, fromNumber: "+61291234567",
                toNumber: "+61412000001", scriptID: "tie", scheduledTime: Timestamp(millis: 4_070_908_800_000),
                createdAt: Timestamp(millis: millis))
        }
        let count = 60
        var sameMillisecond: [UUID] = []
        for _ in 0..<count { sameMillisecond.append(id(millis: millis)) }
        for id in sameMillisecond { try await harness.store.createCall(call(id, millis: millis)) }
        let earlier = id(millis: millis - 1)
        try await harness.store.createCall(call(earlier, millis: millis - 1))
        let expected = (sameMillisecond + [earlier]).map(\.lowercased).sorted(by: >)

        try await harness.withRouter { client in
            var seen: [String] = []
            var cursors: [String] = []
            var cursor: String?
            for _ in 0..<50 {
                let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
                let response = try await Self.get(client, "/api/v1/calls?limit=7\(query)", key: harness.apiKey)
                #expect(response.status == .ok, "\(response.text)")
                seen += try response.json["calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = try response.json["meta"]?["next_cursor"]?.stringValue
                guard let cursor else { break }
                cursors.append(cursor)
            }
            #expect(seen.count == count + 1)
            #expect(Set(seen).count == count + 1)
            #expect(seen == expected)
            // 61 calls in pages of 7: eight full pages, each with a cursor.
            #expect(cursors.count == 8)
            let shape = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{28}Z$"#
            for text in cursors {
                #expect(text.range(of: shape, options: .regularExpression) != nil, "\(text)")
                let parsed = Timestamp(rfc3339: text)?.millis
                #expect(parsed == millis || parsed == millis - 1, "\(text)")
            }
            // A date-time a client writes itself: the calls created before it.
            let ownCursor = Timestamp(millis: millis).rfc3339
            let before = try await Self.get(client, "/api/v1/calls?limit=100&cursor=\(ownCursor)", key: harness.apiKey)
            #expect(try before.json["calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [earlier.lowercased])
            let later = try await Self.get(client, "/api/v1/calls?limit=100&cursor=2099-01-01T00:00:00%2B10:00", key: harness.apiKey)
            #expect(try later.json["calls"]?.arrayValue?.count == count + 1)
            // The former cursor, a call id, still works; anything else is refused.
            let byID = try await Self.get(client, "/api/v1/calls?limit=100&cursor=\(expected[0])", key: harness.apiKey)
            #expect(try byID.json["calls"]?.arrayValue?.count == count)
            try expectError(
                try await Self.get(client, "/api/v1/calls?cursor=yesterday", key: harness.apiKey), .badRequest,
                message: "cursor must be an RFC 3339 date-time such as 2026-01-31T09:00:00Z: meta.next_cursor of the previous page")
        }
    }

    /// Calls created the way the service creates them, all at one `now`
    /// but with ids the generator stamped a millisecond later (another id
    /// for a later time came first): paging returns each once, every
    /// cursor is its call's `created_at`, and a date-time a client writes
    /// as `cursor` agrees with `created_before` about every call.
    @Test(arguments: StoreKind.available)
    func aDateTimeCursorAndCreatedBeforeAgreeAboutEveryCall(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let now = Timestamp(millis: 1_796_000_000_123)
        let generator = UUIDv7Generator()
        _ = generator.next(nowMillis: UInt64(now.millis + 1))
        let count = 40
        var created: [(id: UUID, createdAt: Timestamp)] = []
        for _ in 0..<count {
            let identity = Call.newIdentity(now: now, generator: generator)
            created.append(identity)
            try await harness.store.createCall(
                Call(
                    id: identity.id, teamID: harness.teamID, contactID: nil, executionID: nil, stepID: nil, fromNumber: "+61291234567",
                    toNumber: "+61412000001", scriptID: "late-stamp", scheduledTime: Timestamp(millis: 4_070_908_800_000),
                    createdAt: identity.createdAt))
        }
        #expect(created.allSatisfy { $0.createdAt.millis == now.millis + 1 })
        let expected = created.map(\.id.lowercased).sorted(by: >)
        try await harness.withRouter { client in
            func page(_ query: String) async throws -> (ids: [String], createdAt: [String: String], next: String?) {
                let response = try await Self.get(client, "/api/v1/calls?\(query)", key: harness.apiKey)
                #expect(response.status == .ok, "\(query): \(response.text)")
                let calls = try response.json["calls"]?.arrayValue ?? []
                var times: [String: String] = [:]
                for call in calls { if let id = call["id"]?.stringValue { times[id] = call["created_at"]?.stringValue } }
                return (calls.compactMap { $0["id"]?.stringValue }, times, try response.json["meta"]?["next_cursor"]?.stringValue)
            }
            var seen: [String] = []
            var cursor: String?
            var cursorsChecked = 0
            for _ in 0..<20 {
                let query =
                    "limit=6" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
                let result = try await page(query)
                seen += result.ids
                cursor = result.next
                guard let cursor, let last = result.ids.last else { break }
                // The cursor's date-time is the last call's created_at.
                #expect(
                    Timestamp(rfc3339: cursor)?.millis == result.createdAt[last].flatMap { Timestamp(rfc3339: $0) }?.millis, "\(cursor)")
                cursorsChecked += 1
            }
            #expect(seen == expected)
            #expect(cursorsChecked == count / 6)
            // Around the calls' creation time, both filters list the same calls.
            for millis in [now.millis, now.millis + 1, now.millis + 2] {
                let time = Timestamp(millis: millis).rfc3339
                let byCursor = Set(try await page("limit=100&cursor=\(time)").ids)
                let byCreatedBefore = Set(try await page("limit=100&created_before=\(time)").ids)
                #expect(byCursor == byCreatedBefore, "\(time)")
                #expect(byCursor.count == (millis > now.millis + 1 ? count : 0), "\(time)")
            }
        }
    }

    /// A client that reads `meta.next_cursor` into a date type and writes
    /// it back keeps milliseconds (JavaScript's Date does). A page ends at
    /// a millisecond boundary when it can, with a cursor of plain
    /// milliseconds, so that client too sees every call once.
    @Test(arguments: StoreKind.available)
    func aCursorRoundTrippedThroughAMillisecondDateSkipsNoCall(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let start: Int64 = 1_796_000_000_000
        let generator = UUIDv7Generator()
        var ids: [String] = []
        for millis in 0..<10 {  // three calls in each of ten milliseconds
            for _ in 0..<3 {
                let identity = Call.newIdentity(now: Timestamp(millis: start + Int64(millis)), generator: generator)
                ids.append(identity.id.lowercased)
                try await harness.store.createCall(
                    Call(
                        id: identity.id, teamID: harness.teamID, contactID: nil, executionID: nil, stepID: nil, fromNumber: "+61291234567",
                        toNumber: "+61412000001", scriptID: "spread", scheduledTime: Timestamp(millis: 4_070_908_800_000),
                        createdAt: identity.createdAt))
            }
        }
        let expected = ids.sorted(by: >)
        try await harness.withRouter { client in
            for roundTrip in [false, true] {
                var seen: [String] = []
                var cursors: [String] = []
                var cursor: String?
                for _ in 0..<30 {
                    let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
                    let response = try await Self.get(client, "/api/v1/calls?limit=7\(query)", key: harness.apiKey)
                    #expect(response.status == .ok, "\(response.text)")
                    seen += try response.json["calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    guard let next = try response.json["meta"]?["next_cursor"]?.stringValue else { break }
                    cursors.append(next)
                    // The round trip: parsed to milliseconds and formatted again.
                    cursor = roundTrip ? try #require(Timestamp(rfc3339: next)).rfc3339 : next
                }
                #expect(seen == expected, "round trip: \(roundTrip)")
                // Pages of 7 hold two whole milliseconds (6 calls): 30 calls take 5 pages, 4 cursors.
                #expect(cursors.count == 4, "\(cursors)")
                #expect(
                    cursors.allSatisfy { $0.range(of: #"T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil }, "\(cursors)")
            }
        }
    }

    /// create-phone-call's `object` is validated like upsert-object,
    /// upserted, linked to the call (shown by get-call) and given to
    /// `call_completed` automations as `objects.<type>.*`.
    @Test(arguments: StoreKind.available)
    func aCallCarriesItsObjectToCallCompletedAutomations(_ kind: StoreKind) async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        let harness = try await Self.callCompletedHarness(
            kind,
            definition: """
                        {"trigger":{"type":"call_completed","script_ids":["object-script"]},"steps":[
                          {"id":"tell","type":"http_request","url":"\(receiver.url("/after-call"))",
                           "body":{"board":"{{objects.monday_item.board_id}}","item":"{{objects.monday_item.item.code}}","status":"{{call.status}}"}}]}
                """)
        try await harness.application().test(.live) { client in
            let base = #""from_number":"+61291234567","script_id":"object-script","contact":{"phone_number":"0429069971"}"#
            for (object, message) in [
                (#""object":[1]"#, "object must be an object with type, data and optionally upsert_key"),
                (#""object":{"type":"Bad Type","data":{"id":"1"}}"#, "object.type is required: 1 to 64 of a-z, 0-9 and _"),
                (#""object":{"type":"monday_item","data":[1]}"#, "object.data must be an object"),
                (
                    #""object":{"type":"monday_item","upsert_key":"id","data":{"id":"1"}}"#,
                    "object.upsert_key must be a key path such as $.id"
                ),
                (#""object":{"type":"monday_item","data":{"name":"no key"}}"#, nil),
            ] {
                try expectError(
                    try await Self.post(client, "/api/v1/create-phone-call", key: harness.apiKey, "{\(base),\(object)}"),
                    .badRequest, message: message)
            }
            // Nothing was written for the refused requests.
            #expect(try await Self.get(client, "/api/v1/calls", key: harness.apiKey).json["calls"] == .array([]))

            let created = try await Self.post(
                client, "/api/v1/create-phone-call", key: harness.apiKey,
                "{\(base)," + #""object":{"type":"monday_item","upsert_key":"$.item.code","data":{"board_id":42,"item":{"code":"M-9"}}}}"#)
            #expect(created.status == .created, "\(created.text)")
            let callID = try #require(try created.json["call_id"]?.stringValue)
            let objectID = try #require(try created.json["object"]?["id"]?.stringValue)
            let link: JSONValue = .object(["id": .string(objectID), "object_type": "monday_item", "key": "M-9"])
            #expect(try created.json["call"]?["object"] == link)
            #expect(try await Self.get(client, "/api/v1/get-call/\(callID)", key: harness.apiKey).json["call"]?["object"] == link)
            // The same object again (by its key) is updated, not duplicated; the automation sees the data as it is when the call ends.
            let updated = try await Self.post(
                client, "/api/v1/upsert-object", key: harness.apiKey,
                #"{"object_type":"monday_item","upsert_key":"$.item.code","data":{"board_id":43,"item":{"code":"M-9"}}}"#)
            #expect(updated.status == .ok)
            #expect(try updated.json["object"]?["id"]?.stringValue == objectID)

            let fired = try await EndToEndTests.waitFor(.seconds(15)) { receiver.requests(to: "/after-call").count == 1 }
            #expect(fired)
            let body = try JSONParser().parse(receiver.requests(to: "/after-call").first?.body ?? "{}")
            #expect(body == .object(["board": 43, "item": "M-9", "status": "completed"]))
        }
    }

    @Test(arguments: StoreKind.available)
    func listsCreateOrReuseContactsAndAddThemOnce(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let existing = try await Self.post(
                client, "/api/v1/create-contact", key: harness.apiKey, #"{"phone_number":"0412000001","first_name":"Old"}"#)
            let existingID = try #require(try existing.json["contact"]?["id"]?.stringValue)
            let created = try await Self.post(client, "/api/v1/create-list", key: harness.apiKey, #"{"name":"VIP leads"}"#)
            #expect(created.status == .created)
            let listID = try #require(try created.json["list_id"]?.stringValue)
            #expect(try created.json["list"]?["name"] == "VIP leads")
            #expect(try created.json["list"]?["contact_count"] == 0)

            let first = try await Self.post(
                client, "/api/v1/add-contacts-to-list/\(listID)", key: harness.apiKey,
                #"{"contacts":[{"phone_number":"+61 412 000 001"},{"phone_number":"0412000002","first_name":"New"}]}"#)
            #expect(first.status == .ok)
            #expect(try first.json["added"] == 2)
            #expect(try first.json["already_present"] == 0)
            #expect(try first.json["contacts_created"] == 1)
            #expect(try first.json["contact_ids"]?.arrayValue?.first?.stringValue == existingID)
            let again = try await Self.post(
                client, "/api/v1/add-contact-to-list/\(listID)", key: harness.apiKey, #"{"contact":{"phone_number":"0412000002"}}"#)
            #expect(try again.json["added"] == 0)
            #expect(try again.json["already_present"] == 1)
            #expect(try again.json["list"]?["contact_count"] == 2)

            try expectError(
                try await Self.post(
                    client, "/api/v1/add-contacts-to-list/\(listID)", key: other.apiKey, #"{"contact":{"phone_number":"0412000003"}}"#),
                .notFound, message: "List not found")
            try expectError(
                try await Self.post(
                    client, "/api/v1/add-contacts-to-list/\(listID)", key: harness.apiKey,
                    #"{"contacts":[{"phone_number":"0412000004"},{"phone_number":"bad"}]}"#), .badRequest)
            // Nothing was written for the refused request.
            #expect(
                try await Self.get(client, "/api/v1/contacts?phone_number=0412000004", key: harness.apiKey).json["contacts"] == .array([]))
            try expectError(
                try await Self.post(
                    client, "/api/v1/create-list", key: harness.apiKey, #"{"name":"\#(String(repeating: "x", count: 256))"}"#), .badRequest)
            try expectError(try await Self.post(client, "/api/v1/create-list", key: harness.apiKey, #"{}"#), .badRequest)
            // `contacts` that is not an array is refused, not silently replaced by `contact`.
            try expectError(
                try await Self.post(
                    client, "/api/v1/add-contacts-to-list/\(listID)", key: harness.apiKey,
                    #"{"contacts":{"phone_number":"0412000009"},"contact":{"phone_number":"0412000009"}}"#),
                .badRequest, message: "contacts must be an array")
        }
    }

    @Test(arguments: StoreKind.available)
    func noRouteReachesAnotherTeamsContactsCallsOrLists(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let contact = try #require(
                try await Self.post(client, "/api/v1/create-contact", key: harness.apiKey, #"{"phone_number":"0412111222"}"#)
                    .json["contact"]?["id"]?.stringValue)
            let call = try #require(
                try await Self.post(
                    client, "/api/v1/create-phone-call", key: harness.apiKey,
                    #"{"from_number":"+61291234567","script_id":"s","contact":{"phone_number":"0412111222"},"scheduled_time":"2099-01-01T00:00:00Z"}"#
                )
                .json["call_id"]?.stringValue)
            let list = try #require(
                try await Self.post(client, "/api/v1/create-list", key: harness.apiKey, #"{"name":"mine"}"#).json["list_id"]?.stringValue)
            let attempts: [(String, HTTPRequest.Method, String?)] = [
                ("/api/v1/get-contact/\(contact)", .get, nil),
                ("/api/v1/get-call/\(call)", .get, nil),
                ("/api/v1/get-call-result/\(call)", .get, nil),
                ("/api/v1/cancel-call/\(call)", .post, nil),
                ("/api/v1/reschedule-call/\(call)", .patch, #"{"scheduled_time":"2099-02-01T00:00:00Z"}"#),
                ("/api/v1/add-contacts-to-list/\(list)", .post, #"{"contact":{"phone_number":"0412111333"}}"#),
                ("/api/v1/add-contact-to-list/\(list)", .post, #"{"contact":{"phone_number":"0412111333"}}"#),
            ]
            for (uri, method, body) in attempts {
                let response = try await client.execute(
                    uri: uri, method: method, headers: bearer(other.apiKey), body: body.map { ByteBuffer(string: $0) })
                try expectError(response, .notFound)
            }
            // Lists of the other team are empty, and nothing of ours changed.
            #expect(try await Self.get(client, "/api/v1/contacts", key: other.apiKey).json["contacts"] == .array([]))
            #expect(try await Self.get(client, "/api/v1/calls", key: other.apiKey).json["calls"] == .array([]))
            let mine = try await Self.get(client, "/api/v1/get-call/\(call)", key: harness.apiKey)
            #expect(try mine.json["call"]?["progress"] == "scheduled")
            #expect(try mine.json["call"]?["scheduled_time"] == "2099-01-01T00:00:00.000Z")
        }
    }

    @Test(arguments: StoreKind.available)
    func objectsAreUpsertedByKeyPath(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        let other = try await harness.otherTeam()
        try await harness.withRouter { client in
            let created = try await Self.post(
                client, "/api/v1/upsert-object", key: harness.apiKey,
                #"{"object_type":"rex_property","data":{"external_ids":{"rex":{"property_id":"P-1"}},"id":"ignored","beds":3}}"#)
            #expect(created.status == .created)
            #expect(try created.json["object"]?["key"] == "P-1")
            let updated = try await Self.post(
                client, "/api/v1/upsert-object", key: harness.apiKey,
                #"{"object_type":"rex_property","data":{"external_ids":{"rex":{"property_id":"P-1"}},"beds":4}}"#)
            #expect(updated.status == .ok)
            #expect(try updated.json["object"]?["data"]?["beds"] == 4)
            #expect(try updated.json["object"]?["id"] == created.json["object"]?["id"])
            let byKey = try await Self.post(
                client, "/api/v1/upsert-object", key: harness.apiKey,
                #"{"object_type":"monday_item","upsert_key":"$.item.code","data":{"item":{"code":"M-9"}}}"#)
            #expect(try byKey.json["object"]?["key"] == "M-9")
            // Another team's object with the same key is its own.
            #expect(
                try await Self.post(
                    client, "/api/v1/upsert-object", key: other.apiKey,
                    #"{"object_type":"rex_property","data":{"id":"P-1"}}"#
                ).status == .created)
            for body in [
                #"{"object_type":"Bad Type","data":{"id":"1"}}"#, #"{"object_type":"x","data":[1]}"#,
                #"{"object_type":"x","data":{"name":"no key"}}"#, #"{"object_type":"x","upsert_key":"id","data":{"id":"1"}}"#,
            ] {
                try expectError(try await Self.post(client, "/api/v1/upsert-object", key: harness.apiKey, body), .badRequest)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func eachAPIKeyHasARateLimitWithTheWebhookHeaders(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind) { $0.apiRateLimit = RateLimit(perSecond: 1, burst: 3) }
        let other = try await harness.otherTeam()
        harness.clock.freeze()
        try await harness.withRouter { client in
            for remaining in [2, 1, 0] {
                let response = try await Self.get(client, "/api/v1/contacts", key: harness.apiKey)
                #expect(response.status == .ok)
                #expect(response.header("X-RateLimit-Limit") == "3")
                #expect(response.header("X-RateLimit-Remaining") == String(remaining))
            }
            let refused = try await Self.get(client, "/api/v1/automations", key: harness.apiKey)
            try expectError(refused, .tooManyRequests, message: "Rate limit exceeded")
            #expect(refused.header("Retry-After") == "1")
            // Errors after the limit carry the headers too, and another key has its own budget.
            let notFound = try await Self.get(client, "/api/v1/get-contact/\(UUID().uuidString)", key: other.apiKey)
            try expectError(notFound, .notFound)
            #expect(notFound.header("X-RateLimit-Remaining") == "2")
            harness.clock.advance(seconds: 1.01)
            #expect(try await Self.get(client, "/api/v1/contacts", key: harness.apiKey).status == .ok)
        }
    }

    /// A node with workers and a 1 s call simulator, and a `call_completed`
    /// automation with `definition`.
    static func callCompletedHarness(_ kind: StoreKind, definition: String) async throws -> TestHarness {
        let harness = try await TestHarness.make(kind) {
            $0.role = .all
            $0.engine = EngineConfiguration(workers: 1)
            $0.engine.outboundAllow = ["127.0.0.1"]
            $0.engine.callSimulatorSeconds = 1
        }
        _ = try await harness.store.createAutomation(
            NewAutomation(
                id: .v7(), teamID: harness.teamID, name: "after call", enabled: true, definition: try JSONParser().parse(definition),
                webhookID: .v7(), token: SecretMaterial.webhookToken(), rateLimit: .webhookDefault, signingKey: nil),
            now: .now())
        return harness
    }
}
