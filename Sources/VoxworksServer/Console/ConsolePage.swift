import HTTPTypes
import Hummingbird
import Logging
import Mustache
import NIOCore
import VoxworksStore

/// A refusal shown as a console page (not the API's JSON).
struct ConsoleError: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func notFound(_ what: String) -> ConsoleError { ConsoleError(.notFound, "\(what) not found.") }
    static let forbidden = ConsoleError(
        .forbidden, "This form expired or did not come from this console. Go back, reload the page and try again.")
}

/// Renders console templates into HTML responses.
enum ConsolePage {
    /// Renders `template` with `values` plus what every page needs (title, session, CSRF token, asset version).
    static func render(
        _ template: String, title: String, values: [String: Any], session: ConsoleSession?, status: HTTPResponse.Status = .ok,
        notice: String? = nil
    ) -> Response {
        var data = values
        data["title"] = title
        data["assetVersion"] = ConsoleAssets.version
        data["signedIn"] = session != nil
        data["csrf"] = session?.csrfToken ?? ""
        data["notice"] = notice ?? false
        for key in ["navOverview", "navAutomations", "navExecutions", "navDestinations", "navKeys", "bulkOffer", "bulkTooMany"]
        where data[key] == nil {
            data[key] = false
        }
        return html(status, renderText(template, data))
    }

    /// The text of one template (a page, or a fragment for live refresh).
    static func renderText(_ template: String, _ data: [String: Any]) -> String {
        switch ConsoleTemplates.library {
        case .success(let library):
            return library.render(data, withTemplate: template) ?? "Template \(template) is missing"
        case .failure:
            return "The console's templates did not load"
        }
    }

    static func html(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        var response = Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        ConsoleSecurity.secure(&response)
        return response
    }

    /// A region's new content for the live refresh (`X-Console-Fragment: 1` both ways).
    static func fragment(_ template: String, _ data: [String: Any]) -> Response {
        html(.ok, renderText(template, data), headers: [.consoleFragment: "1"])
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var fields = HTTPFields()
        fields[.location] = location
        for cookie in cookies { fields.append(HTTPField(name: .setCookie, value: cookie)) }
        var response = Response(status: .seeOther, headers: fields)
        ConsoleSecurity.secure(&response)
        return response
    }

    /// An error as a page: its status, a heading and one sentence.
    static func error(_ status: HTTPResponse.Status, _ message: String, session: ConsoleSession?) -> Response {
        let heading =
            switch status.code {
            case 400: "That did not work"
            case 403: "Refused"
            case 404: "Not found"
            case 405: "Not allowed"
            case 409: "Not possible now"
            case 429: "Slow down"
            default: status.code >= 500 ? "Something went wrong" : status.reasonPhrase
            }
        var response = render("error", title: heading, values: ["heading": heading, "message": message], session: session, status: status)
        if status == .methodNotAllowed { response.headers[.allow] = "GET, POST" }
        return response
    }

    /// Whether a path belongs to the console (its errors are pages, not JSON).
    static func isConsole(_ path: String) -> Bool { path == "/app" || path.hasPrefix("/app/") }

    /// Maps anything thrown under `/app` to a page. Causes of 500s are logged, never shown.
    static func error(for error: any Error, session: ConsoleSession?, logger: Logger) -> Response {
        switch error {
        case let error as ConsoleError:
            return Self.error(error.status, error.message, session: session)
        case let error as APIError:
            if error.status.code >= 500 {
                logger.error("console request failed", metadata: ["error": "\(error.message)"])
                return Self.error(.internalServerError, "The request failed. Try again in a moment.", session: session)
            }
            return Self.error(error.status, error.message, session: session)
        case let error as HTTPError where error.status.code < 500:
            let message = error.status == .notFound ? "There is no such page." : error.status.reasonPhrase
            return Self.error(error.status, message, session: session)
        default:
            logger.error("console request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Self.error(.internalServerError, "The request failed. Try again in a moment.", session: session)
        }
    }
}
