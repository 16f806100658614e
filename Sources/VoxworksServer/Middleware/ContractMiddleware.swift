import HTTPTypes
import Hummingbird
import Logging
import VoxworksCore

/// The one place where errors become responses: every request gets an
/// `X-Request-Id`, every failure the contract's error body (under `/app`,
/// the web console's, an HTML error page instead). Causes of `500`s
/// are logged with the request id and never sent to the client.
struct ContractMiddleware: RouterMiddleware {
    typealias Context = VoxworksRequestContext
    let allowedMethods: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = RequestIdentifier.accept(request.headers[.requestID]) ?? RequestIdentifier.generate()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error where ConsolePage.isConsole(request.uri.path) {
            // The web console's errors are pages, not the API's JSON.
            if let error = error as? HTTPError, error.status == .notFound,
                let allowed = allowedMethods.methods(for: request.uri.path), !allowed.contains(request.method.rawValue)
            {
                response = ConsolePage.error(.methodNotAllowed, "This page does not accept that method.", session: nil)
                response.headers[.allow] = allowed.sorted().joined(separator: ", ")
            } else {
                response = ConsolePage.error(for: error, session: nil, logger: context.logger)
            }
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = allowedMethods.methods(for: request.uri.path),
                !allowed.contains(request.method.rawValue)
            {
                var headers = HTTPFields()
                headers[.allow] = allowed.sorted().joined(separator: ", ")
                response = try APIError(.methodNotAllowed, "Method not allowed", headers: headers).response(from: request, context: context)
            } else {
                response = try APIError.fromFramework(error).response(from: request, context: context)
            }
        } catch {
            // Never echo the cause: it may hold paths, SQL or secrets.
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            response = try APIError.internalError.response(from: request, context: context)
        }
        response.headers[.requestID] = requestID
        return response
    }
}
