import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksEngine
import VoxworksStore
import VoxworksIngest
import VoxworksRuntime

import Foundation

/// The web console at `/app`: server-rendered pages over the same store and
/// the same rules as the API (`AutomationActions`, `ExecutionActions`, the
/// definition parser, the webhook endpoint's `IngestService` for Test Webhook).
struct ConsoleController {
    let store: any Store
    let configuration: ServerConfiguration
    let workSignal: WorkSignal
    let clock: @Sendable () -> Timestamp
    /// Ingestion, shared with the webhook endpoint (Test Webhook).
    let ingest: IngestService
    /// Failed sign-ins per client address, shared with failed API keys.
    let signInFailures: AddressThrottle
    /// Keys this node has accepted (shared with the API): they are not slowed.
    let acceptedKeys: AcceptedKeys
    /// This node's destination circuits (nil: none to show).
    let circuits: DestinationCircuits?

    var automationActions: AutomationActions { AutomationActions(store: store, configuration: configuration, clock: clock) }
    var executionActions: ExecutionActions { ExecutionActions(store: store, workSignal: workSignal, clock: clock) }
    var sender: ConsoleWebhookSender { ConsoleWebhookSender(ingest: ingest, configuration: configuration, clock: clock) }

    func addRoutes(to router: Router<VoxworksRequestContext>) {
        let app = router.group("/app").add(middleware: ConsolePageMiddleware())
        app.get("/sign-in", use: signInPage)
        app.post("/sign-in", use: signIn)
        app.get("/assets/:name", use: asset)
        let signedIn = app.group().add(middleware: ConsoleAuthMiddleware(store: store, configuration: configuration, clock: clock))
        signedIn.get("", use: home)
        signedIn.get("/overview", use: overview)
        signedIn.post("/sign-out", use: signOut)
        signedIn.get("/automations", use: automations)
        signedIn.get("/automations/new", use: newAutomation)
        signedIn.post("/automations", use: createAutomation)
        signedIn.get("/automations/:id", use: automation)
        signedIn.get("/automations/:id/edit", use: editAutomation)
        signedIn.get("/automations/:id/sample.json", use: sampleJSON)
        signedIn.post("/automations/:id", use: updateAutomation)
        signedIn.post("/automations/:id/enabled", use: setEnabled)
        signedIn.post("/automations/:id/rotate-token", use: rotateToken)
        signedIn.post("/automations/:id/rotate-secret", use: rotateSecret)
        signedIn.post("/automations/:id/signing-off", use: signingOff)
        signedIn.post("/automations/:id/test", use: testWebhook)
        signedIn.post("/automations/:id/sample", use: useAsSample)
        signedIn.get("/automations/:id/delete", use: confirmDeleteAutomation)
        signedIn.post("/automations/:id/delete", use: deleteAutomation)
        signedIn.get("/executions", use: executions)
        signedIn.get("/executions/:id", use: execution)
        signedIn.get("/executions/:id/raw", use: executionJSON)
        signedIn.get("/executions/:id/payload.json", use: executionPayloadJSON)
        signedIn.post("/executions/:id/replay", use: replay)
        signedIn.post("/executions/:id/cancel", use: cancel)
        signedIn.get("/destinations", use: destinations)
        addBulkKeysRoutes(to: signedIn)
        signedIn.get("/requests", use: requests)
        signedIn.get("/requests/:id", use: requestDetail)
    }

    // MARK: Assets, sign-in, sign-out

    @Sendable func asset(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        guard let name = context.parameters.get("name"), let response = ConsoleAssets.response(name) else {
            throw ConsoleError.notFound("Asset")
        }
        return response
    }

    @Sendable func home(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        ConsolePage.redirect(Self.landingPage)
    }

    /// Where `/app` and a sign-in lead: the overview.
    static let landingPage = "/app/overview"

    @Sendable func signInPage(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleSecurity.sessionCookie]?.value, !token.isEmpty, token.utf8.count <= 128,
            try await store.consoleSession(tokenHash: SecretMaterial.hash(token), now: clock()) != nil
        {
            return ConsolePage.redirect(Self.landingPage)
        }
        let notice = request.uri.queryParameters["signed_out"] != nil ? "You are signed out." : nil
        return signInForm(request, error: nil, status: .ok, notice: notice)
    }

    /// The sign-in form with a fresh double-submit token (cookie and hidden field).
    private func signInForm(_ request: Request, error: String?, status: HTTPResponse.Status, notice: String? = nil) -> Response {
        let token = CSRFToken.generate()
        var response = ConsolePage.render(
            "sign_in", title: "Sign in", values: ["signInToken": token, "keyError": error ?? false], session: nil, status: status,
            notice: notice)
        let secure = ConsoleSecurity.isHTTPS(request, configuration: configuration)
        response.headers.append(
            HTTPField(name: .setCookie, value: ConsoleSecurity.cookie(ConsoleSecurity.signInCookie, token, maxAge: 3600, secure: secure)))
        return response
    }

    @Sendable func signIn(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        guard ConsoleSecurity.originAllowed(request) else { throw ConsoleError.forbidden }
        var request = request
        let form = ConsoleForm.parse(try await request.collectBody(limit: 8192, context: context))
        guard CSRFToken.matches(form["csrf"], request.cookies[ConsoleSecurity.signInCookie]?.value) else {
            throw ConsoleError.forbidden
        }
        let key = (form["api_key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let keyHash = SecretMaterial.hash(key)
        // An address that has spent its failed-key allowance waits before any
        // key is looked up, except a key this node has accepted before.
        if let wait = signInFailures.blockedFor(context.clientAddress, now: clock().seconds), !acceptedKeys.contains(keyHash) {
            var response = ConsolePage.error(
                .tooManyRequests, "Too many failed sign-ins from this address. Wait a minute, then try again.", session: nil)
            response.headers[.retryAfter] = String(AddressThrottle.retryAfterHeader(wait))
            return response
        }
        guard key.hasPrefix("vx_"), key.utf8.count <= 200, let teamID = try await store.teamID(forAPIKeyHash: keyHash) else {
            signInFailures.record(context.clientAddress, now: clock().seconds)
            acceptedKeys.remove(keyHash)
            return signInForm(request, error: "That API key is not valid (or it was revoked).", status: .unauthorized)
        }
        acceptedKeys.insert(keyHash)
        let now = clock()
        let token = SecretMaterial.webhookToken()
        try await store.createConsoleSession(
            ConsoleSession(
                tokenHash: SecretMaterial.hash(token), teamID: teamID, apiKeyHash: keyHash, csrfToken: CSRFToken.generate(),
                createdAt: now, expiresAt: now.adding(seconds: ConsoleSecurity.sessionLifetimeSeconds)))
        let secure = ConsoleSecurity.isHTTPS(request, configuration: configuration)
        return ConsolePage.redirect(
            Self.landingPage,
            cookies: [
                ConsoleSecurity.cookie(
                    ConsoleSecurity.sessionCookie, token, maxAge: Int(ConsoleSecurity.sessionLifetimeSeconds), secure: secure),
                ConsoleSecurity.cookie(ConsoleSecurity.signInCookie, "", maxAge: 0, secure: secure),
            ])
    }

    @Sendable func signOut(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let session = try requireSession(context)
        try await store.deleteConsoleSession(tokenHash: session.tokenHash)
        let secure = ConsoleSecurity.isHTTPS(request, configuration: configuration)
        return ConsolePage.redirect(
            "/app/sign-in?signed_out=1", cookies: [ConsoleSecurity.cookie(ConsoleSecurity.sessionCookie, "", maxAge: 0, secure: secure)])
    }

    // MARK: Helpers shared by the pages

    func requireSession(_ context: VoxworksRequestContext) throws -> ConsoleSession {
        guard let session = context.consoleSession else { throw ConsoleError(.unauthorized, "Sign in first.") }
        return session
    }

    func uuidParameter(_ context: VoxworksRequestContext, _ what: String) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw ConsoleError.notFound(what) }
        return id
    }

    /// The team's automation named by the path, or a 404 page (another team's looks exactly like a missing one).
    func ownAutomation(_ context: VoxworksRequestContext) async throws -> (Automation, ConsoleSession) {
        let session = try requireSession(context)
        guard let automation = try await store.automation(id: try uuidParameter(context, "Automation"), teamID: session.teamID) else {
            throw ConsoleError.notFound("Automation")
        }
        return (automation, session)
    }

    func ownExecution(_ context: VoxworksRequestContext) async throws -> (Execution, ConsoleSession) {
        let session = try requireSession(context)
        guard let execution = try await store.execution(id: try uuidParameter(context, "Execution"), teamID: session.teamID) else {
            throw ConsoleError.notFound("Execution")
        }
        return (execution, session)
    }

    /// Notices after a redirect, by code: the page never echoes text from the URL.
    static func notice(_ request: Request) -> String? {
        guard let code = request.uri.queryParameters["done"] else { return nil }
        return switch code {
        case "created": "Automation created."
        case "saved": "Saved."
        case "enabled": "Enabled: its webhook accepts requests."
        case "disabled": "Disabled: its webhook answers 404 until enabled again."
        case "token": "New webhook token: the old URL no longer works."
        case "signing_off": "Signing is off: unsigned webhooks are accepted."
        case "sample": "Kept as the sample."
        case "test_sent": "Test webhook accepted."
        case "replayed": "Replay started."
        case "cancelled": "Cancelled."
        case "deleted": "Automation deleted: its webhook URL no longer works."
        case "key_revoked": "Key revoked."
        case "bulk_cancelled": "Bulk replay cancelled."
        default: nil
        }
    }
}
