import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

import Foundation

/// Automations: list, create and edit (definitions as JSON, checked by the
/// API's validator), enable/disable, rotate token and secret, Test Webhook
/// and the sample's field paths.
extension ConsoleController {
    static let pageSize = 50

    static let starterDefinition = """
        {
          "trigger": {"type": "webhook"},
          "steps": [
            {"id": "map", "type": "transform", "mappings": [
              {"source": "trigger.first_name", "target": "first_name", "transform": "uppercase"}
            ]}
          ]
        }
        """

    static let starterPayload = """
        {
          "first_name": "Ada",
          "contact": {"email": "ada@example.com", "phone": "0412 345 678"},
          "source": "console"
        }
        """

    @Sendable func automations(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let cursor = request.uri.queryParameters["after"].flatMap { UUID(uuidString: String($0)) }
        let page = try await store.automations(teamID: session.teamID, after: cursor, limit: Self.pageSize)
        let now = clock()
        var rows: [[String: Any]] = []
        for automation in page {
            // Up to 100 counted; more shows as "100+".
            let recent = try await store.executions(
                teamID: session.teamID,
                query: ExecutionQuery(
                    automationID: automation.id, createdAfter: now.adding(seconds: -86_400), limit: 100))
            let last = try await store.executions(teamID: session.teamID, query: ExecutionQuery(automationID: automation.id, limit: 1))
                .first
            rows.append([
                "id": automation.id.lowercased,
                "name": automation.name,
                "enabled": automation.enabled,
                "url": configuration.webhookURL(token: automation.webhook.token),
                "recentCount": recent.count == 100 ? "100+" : String(recent.count),
                "lastBadge": last.map { ConsoleFormat.badge($0.status) } ?? false,
            ])
        }
        let nextURL: Any = page.count == Self.pageSize ? (page.last.map { "/app/automations?after=\($0.id.lowercased)" } ?? false) : false
        return ConsolePage.render(
            "automations", title: "Automations",
            values: ["automations": rows, "hasAutomations": !rows.isEmpty, "nextURL": nextURL, "navAutomations": true],
            session: session, notice: Self.notice(request))
    }

    @Sendable func newAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        return automationForm(
            session: session, automation: nil, name: "", definition: Self.starterDefinition, errors: [:], enabled: true, signing: false,
            sender: SenderFields(scheme: "", settings: ""))
    }

    @Sendable func editAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        return automationForm(
            session: session, automation: automation, name: automation.name, definition: ConsoleFormat.prettyWhole(automation.definition),
            errors: [:], enabled: automation.enabled, signing: automation.webhook.signing, sender: SenderFields(automation.webhook))
    }

    private func automationForm(
        session: ConsoleSession, automation: Automation?, name: String, definition: String, errors: [String: String],
        enabled: Bool, signing: Bool, sender: SenderFields, status: HTTPResponse.Status = .ok
    ) -> Response {
        let heading = automation.map { "Edit \($0.name)" } ?? "New automation"
        let senders: [[String: Any]] = SenderGuide.all.map { guide in
            ["value": guide.scheme.rawValue, "label": guide.name, "selected": guide.scheme.rawValue == sender.scheme]
        }
        let guides: [[String: Any]] = SenderGuide.all.map { guide in
            ["label": guide.name, "where": guide.whereToFind, "settingsHint": guide.settingsHint ?? false]
        }
        return ConsolePage.render(
            "automation_form", title: heading,
            values: [
                "heading": heading,
                "action": automation.map { "/app/automations/\($0.id.lowercased)" } ?? "/app/automations",
                "cancelURL": automation.map { "/app/automations/\($0.id.lowercased)" } ?? "/app/automations",
                "isNew": automation == nil,
                "name": name,
                "definition": definition,
                "nameError": errors["name"] ?? false,
                "definitionError": errors["definition"] ?? false,
                "enabledChecked": enabled,
                "signingChecked": signing,
                "senders": senders,
                "noSender": sender.scheme.isEmpty,
                "senderGuides": guides,
                "verificationSettings": sender.settings,
                "senderError": errors["sender"] ?? false,
                "hookURL": automation.map { configuration.webhookURL(token: $0.webhook.token) } ?? false,
                "navAutomations": true,
            ], session: session, status: status)
    }

    /// The name and definition of a submitted form, or the errors to show beside each field.
    private func validatedFields(_ form: [String: String]) -> (name: String?, definition: JSONValue?, errors: [String: String]) {
        var errors: [String: String] = [:]
        var name: String?
        do {
            name = try AutomationsController.name(.string(form["name"] ?? ""))
            if name == nil { errors["name"] = "A name is required." }
        } catch let error as APIError {
            errors["name"] = error.message
        } catch {
            errors["name"] = "The name is not valid."
        }
        var definition: JSONValue?
        do {
            let parsed = try JSONParser().parse(form["definition"] ?? "")
            definition = try AutomationsController.definition(parsed)
            if definition == nil { errors["definition"] = "A definition is required." }
        } catch let error as JSONParseError {
            errors["definition"] = "This is not valid JSON: \(error.message)"
        } catch let error as APIError {
            errors["definition"] = error.message
        } catch {
            errors["definition"] = "The definition is not valid."
        }
        return (name, definition, errors)
    }

    @Sendable func createAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let form = context.consoleForm
        let enabled = form["enabled"] == "on"
        var fields = validatedFields(form)
        let choice = senderChoice(form, current: nil)
        if let error = choice.error { fields.errors["sender"] = error }
        // The checkbox is the voxworks scheme, unless another sender is chosen.
        let signing = choice.generate || (form["signing"] == "on" && choice.change == nil)
        guard let name = fields.name, let definition = fields.definition, fields.errors.isEmpty else {
            return automationForm(
                session: session, automation: nil, name: form["name"] ?? "", definition: form["definition"] ?? "", errors: fields.errors,
                enabled: enabled, signing: signing, sender: SenderFields(form), status: .badRequest)
        }
        var created = try await automationActions.create(
            teamID: session.teamID, name: name, enabled: enabled, definition: definition, signing: signing)
        if let change = choice.change, !change.isEmpty {
            created.automation = try await automationActions.changeVerification(
                automationID: created.automation.id, teamID: session.teamID, change: change)
        }
        if let secret = created.secret {
            return try await automationPage(
                created.automation, session: session, secret: secret, status: .created, notice: "Automation created.")
        }
        return ConsolePage.redirect("/app/automations/\(created.automation.id.lowercased)?done=created")
    }

    @Sendable func updateAutomation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        let form = context.consoleForm
        var fields = validatedFields(form)
        // Older forms without the sender section leave the sender as it is.
        let choice = form["scheme"] == nil ? SenderChoice() : senderChoice(form, current: automation.webhook)
        if let error = choice.error { fields.errors["sender"] = error }
        guard let name = fields.name, let definition = fields.definition, fields.errors.isEmpty else {
            return automationForm(
                session: session, automation: automation, name: form["name"] ?? "", definition: form["definition"] ?? "",
                errors: fields.errors, enabled: automation.enabled, signing: automation.webhook.signing, sender: SenderFields(form),
                status: .badRequest)
        }
        guard
            var updated = try await store.updateAutomation(
                id: automation.id, teamID: session.teamID, patch: AutomationPatch(name: name, definition: definition), now: clock())
        else { throw ConsoleError.notFound("Automation") }
        if let change = choice.change, !change.isEmpty {
            updated = try await automationActions.changeVerification(automationID: automation.id, teamID: session.teamID, change: change)
        }
        if choice.generate {
            let rotated = try await automationActions.rotateSecret(automationID: automation.id, teamID: session.teamID, immediately: true)
            return try await automationPage(
                rotated.automation, session: session, secret: rotated.secret, notice: "Saved. Webhooks must now be signed.")
        }
        _ = updated
        return ConsolePage.redirect("/app/automations/\(automation.id.lowercased)?done=saved")
    }

    @Sendable func automation(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        if Self.isFragment(request) {
            let recent = try await recentExecutions(of: automation, teamID: session.teamID)
            return ConsolePage.fragment("executions_table", recent)
        }
        let fieldFilter = request.uri.queryParameters["fields"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        return try await automationPage(automation, session: session, notice: Self.notice(request), fieldFilter: fieldFilter)
    }

    /// The automation's page; `secret` is a new signing secret to show this once.
    func automationPage(
        _ automation: Automation, session: ConsoleSession, secret: String? = nil, payload: String? = nil, payloadError: String? = nil,
        status: HTTPResponse.Status = .ok, notice: String? = nil, fieldFilter: String? = nil
    ) async throws -> Response {
        let sample = try await store.sample(automationID: automation.id, teamID: session.teamID)
        let samplePayload = sample.flatMap { try? JSONParser().parse($0.body) }
        let sampleText = samplePayload.map { ConsoleFormat.pretty($0) }
        let filter = fieldFilter.map { Truncation.text($0, maxBytes: Self.maxFieldFilterBytes) }
        let fields = Self.listedFields(
            samplePayload?.fieldPaths(prefix: "trigger", limit: Self.maxSearchedFields) ?? [], filter: filter)
        let definition = ConsoleFormat.pretty(automation.definition)
        let recent = try await recentExecutions(of: automation, teamID: session.teamID)
        let rate = automation.webhook.rateLimit
        let perSecond =
            rate.perSecond == rate.perSecond.rounded() && rate.perSecond < 1e9 ? String(Int(rate.perSecond)) : String(rate.perSecond)
        let rateText = "\(perSecond) per second, bursts of \(rate.burst)"
        let guide = automation.webhook.verification.map { SenderGuide.guide(for: $0.scheme) }
        let signable = automation.webhook.verification.map(ConsoleTestSigner.canSign) ?? true
        var values: [String: Any] = [
            "id": automation.id.lowercased,
            "name": automation.name,
            "enabled": automation.enabled,
            "signing": automation.webhook.signing,
            "senderName": guide?.name ?? false,
            "senderWhere": guide?.whereToFind ?? false,
            "senderURL": automation.webhook.verification?.settings.url ?? configuration.webhookURL(token: automation.webhook.token),
            "ownSecrets": automation.webhook.verification.map { $0.scheme == .voxworks } ?? true,
            "cannotSign": !signable,
            "accept": AutomationActions.effectiveAccept(automation.webhook).map(\.rawValue).joined(separator: ", "),
            "url": configuration.webhookURL(token: automation.webhook.token),
            "rate": rateText,
            "secret": secret ?? false,
            // A cut sample would not parse if sent back, so the field then starts from the example.
            "payload": payload ?? sampleText.flatMap { $0.isCut ? nil : $0.text } ?? Self.starterPayload,
            "sampleCut": sampleText?.isCut ?? false,
            "samplePreview": sampleText?.text ?? "",
            "payloadError": payloadError ?? false,
            "hasFields": fields.total > 0,
            "fields": fields.listed.enumerated().map { ["index": $0.offset, "path": $0.element] as [String: Any] },
            "noFieldMatches": filter != nil && fields.listed.isEmpty,
            "fieldsSummary": Self.fieldsSummary(fields, filter: filter),
            "fieldFilter": filter ?? "",
            "showFieldFilter": filter != nil || fields.total > Self.maxFields,
            "sampleNote": sample.map {
                "From the sample kept \(ConsoleFormat.relative($0.receivedAt, now: clock())) (\($0.receivedAt.rfc3339))."
            } ?? "",
            "templateExample": "{{\(fields.listed.last ?? "trigger.first_name")}}",
            "definition": definition.text,
            "definitionCut": definition.isCut,
            "curlExample": Self.curlExample(
                url: configuration.webhookURL(token: automation.webhook.token), signing: automation.webhook.signing),
            "navAutomations": true,
        ]
        values.merge(recent) { current, _ in current }
        return ConsolePage.render("automation", title: automation.name, values: values, session: session, status: status, notice: notice)
    }

    /// At most this many of a sample's field paths are listed (each with a
    /// Copy button), and at most `maxFieldBytes` of their text in all (a
    /// path longer than `maxFieldPathBytes` is cut): the sample is a
    /// sender's payload. The rest are found with the filter (`?fields=`).
    static let maxFields = 200
    static let maxFieldBytes = 32 * 1024
    static let maxFieldPathBytes = 256
    static let maxFieldFilterBytes = 256
    /// The filter searches this many paths at most (each at most 256 bytes,
    /// built one at a time): every path of a typical 64 KiB sample, and a
    /// bound on the work for a pathological one.
    static let maxSearchedFields = 5_000

    /// The sample's field paths the page lists.
    struct ListedFields {
        var listed: [String]
        /// Paths in the sample.
        var total: Int
        /// `total` is the search's cap: the sample may have more.
        var totalIsCapped: Bool { total >= ConsoleController.maxSearchedFields }
        var totalText: String { totalIsCapped ? "at least \(total)" : String(total) }
        /// Paths that contain the filter (all of them without one).
        var matched: Int
        var hidden: Int { matched - listed.count }
    }

    /// The paths the page lists: those containing `filter` (ignoring case), up to the caps.
    static func listedFields(_ paths: [String], filter: String? = nil) -> ListedFields {
        var listed: [String] = []
        var bytes = 0
        var matched = 0
        for path in paths {
            if let filter, path.range(of: filter, options: .caseInsensitive) == nil { continue }
            matched += 1
            let shown = Truncation.text(path, maxBytes: maxFieldPathBytes)
            guard listed.count < maxFields, bytes + shown.utf8.count <= maxFieldBytes else { continue }
            listed.append(shown)
            bytes += shown.utf8.count
        }
        return ListedFields(listed: listed, total: paths.count, matched: matched)
    }

    /// One sentence: how many paths are shown, and how many are hidden.
    static func fieldsSummary(_ fields: ListedFields, filter: String?) -> String {
        let shown = fields.listed.count
        if let filter {
            let head = "\(fields.matched) of the sample's \(fields.totalText) field paths contain “\(filter)”; \(shown) shown."
            return fields.hidden > 0 ? head + " \(fields.hidden) more are hidden: narrow the filter to see them." : head
        }
        if fields.hidden > 0 {
            return "Showing \(shown) of the sample's \(fields.totalText) field paths; \(fields.hidden) are hidden. Filter them to find one."
        }
        return "All \(fields.total) field paths of the sample."
    }

    /// A sender's request, ready to paste (the signature line only when signing is on).
    static func curlExample(url: String, signing: Bool) -> String {
        var lines = [
            "curl -i -X POST '\(url)' \\",
            "  -H 'Content-Type: application/json' -H 'Idempotency-Key: lead-1001' \\",
        ]
        if signing { lines.append("  -H \"X-Webhook-Signature: sha256=$SIGNATURE\" \\") }
        lines.append("  -d '{\"first_name\":\"Ada\",\"contact\":{\"email\":\"ada@example.com\"}}'")
        return lines.joined(separator: "\n")
    }

    @Sendable func setEnabled(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        let enabled = context.consoleForm["enabled"] == "true"
        guard
            try await store.updateAutomation(
                id: automation.id, teamID: session.teamID, patch: AutomationPatch(enabled: enabled), now: clock()) != nil
        else { throw ConsoleError.notFound("Automation") }
        return ConsolePage.redirect("/app/automations/\(automation.id.lowercased)?done=\(enabled ? "enabled" : "disabled")")
    }

    @Sendable func rotateToken(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        _ = try await automationActions.rotateToken(automationID: automation.id, teamID: session.teamID)
        return ConsolePage.redirect("/app/automations/\(automation.id.lowercased)?done=token")
    }

    /// A new secret (or the first one, turning signing on), shown on the page this once.
    @Sendable func rotateSecret(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        let rotated = try await automationActions.rotateSecret(
            automationID: automation.id, teamID: session.teamID, immediately: !automation.webhook.signing)
        let notice =
            automation.webhook.signing
            ? "New signing secret. The previous one keeps working for \(Int(configuration.secretGraceSeconds / 3600)) h."
            : "Signing is on: webhooks must now be signed."
        return try await automationPage(rotated.automation, session: session, secret: rotated.secret, notice: notice)
    }

    /// The sender fields of the form, as typed (never the credential: it is not shown again).
    struct SenderFields {
        var scheme: String
        var settings: String

        init(scheme: String, settings: String) {
            self.scheme = scheme
            self.settings = settings
        }

        init(_ webhook: Webhook) {
            scheme = webhook.verification?.scheme.rawValue ?? ""
            let object = webhook.verification.map { VerificationSettingsJSON.object($0.settings) } ?? JSONObject()
            settings = object.count == 0 ? "" : JSONValue.object(object).serialized
        }

        init(_ form: [String: String]) {
            scheme = form["scheme"] ?? ""
            settings = form["verification_settings"] ?? ""
        }
    }

    /// What the sender fields ask for.
    struct SenderChoice {
        var change: VerificationChange?
        /// The voxworks scheme with a secret the service makes (shown once).
        var generate = false
        var error: String?
    }

    /// The sender fields as a verification change, checked as the API checks
    /// `webhook.verification` (the same parser and scheme validation).
    func senderChoice(_ form: [String: String], current: Webhook?) -> SenderChoice {
        let schemeText = form["scheme"] ?? ""
        guard !schemeText.isEmpty else {
            return SenderChoice(change: current?.verification == nil && current?.signing != true ? nil : VerificationChange(scheme: .off))
        }
        guard let scheme = SchemeName(rawValue: schemeText) else { return SenderChoice(error: "Choose a sender from the list.") }
        let credential = (form["credential"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var object = JSONObject()
        let settingsText = (form["verification_settings"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !settingsText.isEmpty {
            guard case .object(let settings)? = try? JSONParser().parse(settingsText) else {
                return SenderChoice(error: "Settings must be a JSON object, e.g. {\"tolerance_seconds\": 300}.")
            }
            object = settings
        }
        object["scheme"] = .string(scheme.rawValue)
        if scheme == .voxworks, credential.isEmpty, current?.verification?.scheme != .voxworks || current?.signing != true {
            // A secret the service makes; another scheme's credentials end first.
            let off = current?.verification.map { $0.scheme != .voxworks } ?? false
            return SenderChoice(change: off ? VerificationChange(scheme: .off) : nil, generate: true)
        }
        let field = SenderGuide.guide(for: scheme).field
        if !credential.isEmpty, field != .none { object[field.rawValue] = .string(credential) }
        do {
            let input = try VerificationInput.parse(object)
            let placeholder = Webhook(id: UUID(), token: "", rateLimit: .webhookDefault, signing: false)
            return SenderChoice(change: try automationActions.verificationChange(input, current: current ?? placeholder))
        } catch let error as VerificationInputError {
            return SenderChoice(error: error.message)
        } catch let error as APIError {
            return SenderChoice(error: error.message)
        } catch {
            return SenderChoice(error: "The sender's settings are not valid.")
        }
    }

    @Sendable func signingOff(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        guard
            try await store.updateAutomation(
                id: automation.id, teamID: session.teamID, patch: AutomationPatch(disableSigning: true), now: clock()) != nil
        else { throw ConsoleError.notFound("Automation") }
        return ConsolePage.redirect("/app/automations/\(automation.id.lowercased)?done=signing_off")
    }

    /// Test Webhook: through the endpoint's own ingestion, then to the execution it started.
    @Sendable func testWebhook(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        let payload = context.consoleForm["payload"] ?? ""
        guard case .object? = try? JSONParser().parse(payload) else {
            return try await automationPage(
                automation, session: session, payload: payload, payloadError: "The payload must be a JSON object.", status: .badRequest)
        }
        switch try await sender.send(body: Array(payload.utf8), automation: automation, sourceAddress: context.remoteAddress) {
        case .accepted(let id):
            return ConsolePage.redirect("/app/executions/\(id.lowercased)?done=test_sent")
        case .cannotSign(let scheme):
            return try await automationPage(
                automation, session: session, payload: payload,
                payloadError:
                    "Test webhook cannot sign as \(SenderGuide.guide(for: scheme).name) does (the service holds no signing key for it); send a test from the provider instead.",
                status: .badRequest)
        case .refused(let status, let message):
            return try await automationPage(
                automation, session: session, payload: payload, payloadError: "The webhook endpoint answered \(status): \(message)",
                status: .badRequest)
        }
    }

    /// "Use as sample": keeps a payload (typed here, or an execution's) as the automation's sample.
    @Sendable func useAsSample(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        let body: [UInt8]
        if let text = context.consoleForm["execution_id"] {
            guard let id = UUID(uuidString: text), let execution = try await store.execution(id: id, teamID: session.teamID),
                execution.automationID == automation.id
            else { throw ConsoleError.notFound("Execution") }
            body = execution.body
        } else {
            let payload = context.consoleForm["payload"] ?? ""
            guard case .object? = try? JSONParser().parse(payload) else {
                return try await automationPage(
                    automation, session: session, payload: payload, payloadError: "The payload must be a JSON object.", status: .badRequest)
            }
            body = Array(payload.utf8)
        }
        // The store would keep the old sample silently; say why instead.
        guard AutomationSample.keeps(size: body.count) else {
            throw ConsoleError(
                .badRequest, "That payload is \(body.count / 1024) KiB; a sample can be at most \(AutomationSample.maxBytes / 1024) KiB.")
        }
        guard try await store.saveSample(automationID: automation.id, teamID: session.teamID, body: body, receivedAt: clock()) else {
            throw ConsoleError.notFound("Automation")
        }
        return ConsolePage.redirect("/app/automations/\(automation.id.lowercased)?done=sample")
    }
}
