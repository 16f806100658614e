import HTTPTypes
import Hummingbird
import VoxworksCore
import VoxworksStore

/// Outermost on `/app`: every response gets the console's security headers,
/// and every error becomes an HTML page (the API's JSON contract stays on `/api`).
struct ConsolePageMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ConsolePage.error(for: error, session: nil, logger: context.logger)
        }
        ConsoleSecurity.secure(&response)
        return response
    }
}

/// The signed-in part of the console: a live session from the `vx_session`
/// cookie (else `303` to the sign-in page), and on every POST an Origin
/// check and the session's CSRF token in the form (else `403`).
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let store: any ConsoleSessionStore
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[ConsoleSecurity.sessionCookie]?.value, !token.isEmpty, token.utf8.count <= 128,
            let session = try await store.consoleSession(tokenHash: SecretMaterial.hash(token), now: clock())
        else {
            let hadCookie = request.cookies[ConsoleSecurity.sessionCookie] != nil
            let secure = ConsoleSecurity.isHTTPS(request, configuration: configuration)
            return ConsolePage.redirect(
                "/app/sign-in",
                cookies: hadCookie ? [ConsoleSecurity.cookie(ConsoleSecurity.sessionCookie, "", maxAge: 0, secure: secure)] : [])
        }
        var context = context
        context.consoleSession = session
        context.teamID = session.teamID
        if request.method == .post {
            guard ConsoleSecurity.originAllowed(request) else {
                return ConsolePage.error(ConsoleError.forbidden.status, ConsoleError.forbidden.message, session: session)
            }
            var request = request
            let bytes = try await request.collectBody(limit: ConsoleForm.maxBytes, context: context)
            let form = ConsoleForm.parse(bytes)
            guard CSRFToken.matches(form["csrf"], session.csrfToken) else {
                return ConsolePage.error(ConsoleError.forbidden.status, ConsoleError.forbidden.message, session: session)
            }
            context.consoleForm = form
            do {
                return try await next(request, context)
            } catch {
                return ConsolePage.error(for: error, session: session, logger: context.logger)
            }
        }
        do {
            return try await next(request, context)
        } catch {
            return ConsolePage.error(for: error, session: session, logger: context.logger)
        }
    }
}
