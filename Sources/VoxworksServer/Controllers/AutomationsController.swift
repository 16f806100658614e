import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// The automations of the caller's team and their webhooks. Another team's
/// automation answers `404`, exactly like one that never existed.
struct AutomationsController {
    let store: any AutomationStore & ExecutionStore & WebhookVerificationStore
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    var actions: AutomationActions { AutomationActions(store: store, configuration: configuration, clock: clock) }

    func addRoutes(to group: RouterGroup<VoxworksRequestContext>) {
        group.post("/automations", use: create)
        group.get("/automations", use: list)
        group.get("/automations/:id", use: show)
        group.patch("/automations/:id", use: update)
        group.delete("/automations/:id", use: delete)
        group.post("/automations/:id/rotate-token", use: rotateToken)
        group.post("/automations/:id/rotate-secret", use: rotateSecret)
        group.get("/automations/:id/sample", use: sample)
    }

    /// The last payload the webhook received, with its field paths for a field picker.
    @Sendable func sample(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let id = try automationID(context)
        guard try await store.automation(id: id, teamID: teamID) != nil else { throw APIError.notFound("Automation") }
        guard let sample = try await store.sample(automationID: id, teamID: teamID),
            let payload = try? JSONParser().parse(sample.body)
        else { throw APIError(.notFound, "No webhook has been received for this automation yet") }
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "sample": .object([
                    "received_at": .string(sample.receivedAt.rfc3339),
                    "payload": payload,
                    "fields": .array(payload.fieldPaths(prefix: "trigger").map(JSONValue.string)),
                ]),
            ]))
    }

    @Sendable func create(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        var request = request
        let body = try await request.jsonObjectBody()
        try BodyFields.check(body, accepted: BodyFields.automation)
        guard let name = try Self.name(body["name"]) else { throw APIError.badRequest("name is required") }
        let enabled = try Self.optionalBool(body["enabled"], field: "enabled") ?? true
        let definition = try Self.definition(body["definition"]) ?? AutomationDefinition.emptyJSON
        var rateLimit = RateLimit.webhookDefault
        var signing = false
        var verification = AutomationActions.VerificationRequest.absent
        var accept: [BodyFormat]?? = nil
        switch body["webhook"] {
        case nil, .null?: break
        case .object(let webhook)?:
            try BodyFields.check(webhook, accepted: BodyFields.webhook, at: "webhook.")
            signing = try Self.optionalBool(webhook["signing"], field: "webhook.signing") ?? false
            if let limit = try Self.rateLimit(webhook["rate_limit"], current: rateLimit) { rateLimit = limit }
            verification = try AutomationActions.verificationRequest(webhook["verification"])
            accept = try AutomationActions.acceptRequest(webhook["accept"])
        default: throw APIError.badRequest("webhook must be an object")
        }
        var change = VerificationChange()
        if case .set(let input) = verification {
            guard !signing else { throw APIError.badRequest("webhook.signing and webhook.verification cannot both be set") }
            change = try actions.verificationChange(
                input, current: Webhook(id: UUID(), token: "", rateLimit: rateLimit, signing: false))
        }
        if let accept { change.accept = .set(accept) }
        let created = try await actions.create(
            teamID: teamID, name: name, enabled: enabled, definition: definition, signing: signing, rateLimit: rateLimit)
        var automation = created.automation
        if !change.isEmpty {
            automation = try await actions.changeVerification(automationID: automation.id, teamID: teamID, change: change)
        }
        return respond(.created, automation, secret: created.secret)
    }

    @Sendable func list(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let query = QueryParsing.parameters(request.uri.query)
        let limit = try QueryParsing.limit(query["limit"])
        let cursor = try QueryParsing.uuid(query["cursor"], name: "cursor")
        let automations = try await store.automations(teamID: teamID, after: cursor, limit: limit)
        let nextCursor: JSONValue = automations.count == limit ? (automations.last?.id.lowercased.json ?? .null) : .null
        return JSONResponse.make(
            .ok,
            .object([
                "success": true,
                "automations": .array(automations.map { APIRepresentation.automation($0, configuration: configuration) }),
                "meta": .object(["next_cursor": nextCursor]),
            ]))
    }

    @Sendable func show(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard let automation = try await store.automation(id: try automationID(context), teamID: teamID) else {
            throw APIError.notFound("Automation")
        }
        return respond(.ok, automation)
    }

    @Sendable func update(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let id = try automationID(context)
        guard let current = try await store.automation(id: id, teamID: teamID) else { throw APIError.notFound("Automation") }
        var request = request
        let body = try await request.jsonObjectBody()
        try BodyFields.check(body, accepted: BodyFields.automation)
        var patch = AutomationPatch()
        patch.name = try Self.name(body["name"])
        patch.enabled = try Self.optionalBool(body["enabled"], field: "enabled")
        patch.definition = try Self.definition(body["definition"])
        var turnSigningOn = false
        var change = VerificationChange()
        switch body["webhook"] {
        case nil, .null?: break
        case .object(let webhook)?:
            try BodyFields.check(webhook, accepted: BodyFields.webhook, at: "webhook.")
            // A partial rate_limit changes only the fields it names.
            patch.rateLimit = try Self.rateLimit(webhook["rate_limit"], current: current.webhook.rateLimit)
            let signing = try Self.optionalBool(webhook["signing"], field: "webhook.signing")
            switch try AutomationActions.verificationRequest(webhook["verification"]) {
            case .absent: break
            case .off: change.scheme = .off
            case .set(let input):
                guard signing == nil else { throw APIError.badRequest("webhook.signing and webhook.verification cannot both be set") }
                change = try actions.verificationChange(input, current: current.webhook)
            }
            if let accept = try AutomationActions.acceptRequest(webhook["accept"]) { change.accept = .set(accept) }
            if let signing {
                patch.disableSigning = !signing
                turnSigningOn = signing
            }
        default: throw APIError.badRequest("webhook must be an object")
        }
        let now = clock()
        guard var automation = try await store.updateAutomation(id: id, teamID: teamID, patch: patch, now: now) else {
            throw APIError.notFound("Automation")
        }
        if !change.isEmpty {
            automation = try await actions.changeVerification(automationID: id, teamID: teamID, change: change)
        }
        var shownSecret: String?
        if turnSigningOn && !automation.webhook.signing {
            // `"signing": true` is the voxworks scheme with a generated secret.
            if let scheme = automation.webhook.verification?.scheme, scheme != .voxworks {
                automation = try await actions.changeVerification(
                    automationID: id, teamID: teamID, change: VerificationChange(scheme: .off))
            }
            (automation, shownSecret) = try await actions.rotateSecret(automationID: id, teamID: teamID, immediately: true)
        }
        return respond(.ok, automation, secret: shownSecret)
    }

    @Sendable func delete(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        guard try await store.deleteAutomation(id: try automationID(context), teamID: teamID, now: clock()) else {
            throw APIError.notFound("Automation")
        }
        return JSONResponse.make(.ok, .object(["success": true]))
    }

    @Sendable func rotateToken(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        return respond(.ok, try await actions.rotateToken(automationID: try automationID(context), teamID: teamID))
    }

    @Sendable func rotateSecret(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let teamID = try context.requireTeam()
        let id = try automationID(context)
        // Only the service's own scheme has secrets the service makes.
        if let scheme = try await store.automation(id: id, teamID: teamID)?.webhook.verification?.scheme, scheme != .voxworks {
            throw APIError.badRequest(
                "rotate-secret makes voxworks secrets; this webhook verifies \(scheme.rawValue): send the provider's new secret in webhook.verification"
            )
        }
        let rotated = try await actions.rotateSecret(automationID: id, teamID: teamID)
        return respond(.ok, rotated.automation, secret: rotated.secret)
    }

    // MARK: Helpers

    private func respond(_ status: HTTPResponse.Status, _ automation: Automation, secret: String? = nil) -> Response {
        JSONResponse.make(
            status,
            .object([
                "success": true,
                "automation": APIRepresentation.automation(automation, configuration: configuration, signingSecret: secret),
            ]))
    }

    /// A malformed id cannot name an automation of this team: `404`, not `400`.
    private func automationID(_ context: VoxworksRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw APIError.notFound("Automation")
        }
        return id
    }

    static func name(_ value: JSONValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let name)?:
            // At most 200 Unicode scalars as sent (JSON Schema's maxLength), not blank.
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, name.unicodeScalars.count <= 200 else { throw APIError.badRequest("name must be 1 to 200 characters") }
            // A NUL ends the text where SQLite reads it back (a name of
            // "\u{0}x" came back empty), and other control characters
            // have no place in a label shown in pages and logs.
            guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw APIError.badRequest("name must not contain control characters")
            }
            return trimmed
        default: throw APIError.badRequest("name must be a string")
        }
    }

    static func optionalBool(_ value: JSONValue?, field: String) throws -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw APIError.badRequest("\(field) must be true or false")
        }
    }

    static func definition(_ value: JSONValue?) throws -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        do {
            try AutomationDefinition.validate(value)
        } catch {
            throw APIError.badRequest("Invalid definition: \(error.message)")
        }
        return value
    }

    static func rateLimit(_ value: JSONValue?, current: RateLimit) throws -> RateLimit? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?:
            try BodyFields.check(object, accepted: BodyFields.rateLimit, at: "webhook.rate_limit.")
            var limit = current
            if let perSecond = object["per_second"] {
                guard let rate = perSecond.doubleValue else { throw APIError.badRequest("webhook.rate_limit.per_second must be a number") }
                limit.perSecond = rate
            }
            if let burst = object["burst"] {
                guard let size = burst.intValue else { throw APIError.badRequest("webhook.rate_limit.burst must be an integer") }
                limit.burst = size
            }
            guard limit.isValid else {
                throw APIError.badRequest("webhook.rate_limit needs per_second in (0, 100000] and burst in [1, 1000000]")
            }
            return limit
        default: throw APIError.badRequest("webhook.rate_limit must be an object")
        }
    }
}
