/// `http_request`: sends a request built from templates and saves the
/// response under `save_as`.
public struct HTTPRequestSpec: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    public static let timeoutRange: ClosedRange<Double> = 1...60
    public static let defaultTimeoutSeconds: Double = 10
    /// How long to wait for a connection (a refused one fails at once whatever this is).
    public static let connectTimeoutRange: ClosedRange<Double> = 0.1...30
    public static let defaultConnectTimeoutSeconds: Double = 3

    public var method: Method
    /// A string template giving an http(s) URL.
    public var url: JSONValue
    /// Header name → string template.
    public var headers: JSONObject
    /// The body template; nil: no body.
    public var body: JSONValue?
    public var timeoutSeconds: Double
    public var connectTimeoutSeconds: Double
    /// Where the response body goes: `source`, or `source.<save_as>`.
    public var saveAs: String

    init(reading reader: inout FieldReader) throws(DefinitionError) {
        method = .post
        if let value = reader.present("method") {
            guard case .string(let name) = value, let method = Method(rawValue: name) else {
                throw reader.fail("method", "must be one of: \(Method.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.method = method
        }
        guard let urlValue = reader.present("url") else { throw reader.fail("url", "is required") }
        guard case .string(let url) = urlValue else { throw reader.fail("url", "must be a string") }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || url.hasPrefix("{{") else {
            throw reader.fail("url", "must start with http:// or https:// (or with a template such as \"{{trigger.callback_url}}\")")
        }
        try reader.templates(urlValue, field: "url")
        self.url = urlValue
        headers = JSONObject()
        if let headersValue = reader.present("headers") {
            guard case .object(let headers) = headersValue else { throw reader.fail("headers", "must be an object of strings") }
            for member in headers {
                let field = "headers.\(member.key)"
                guard DefinitionText.isHeaderName(member.key) else { throw reader.fail(field, "is not a valid HTTP header name") }
                guard case .string(let text) = member.value else { throw reader.fail(field, "must be a string") }
                guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                    throw reader.fail(field, "must not contain line breaks")
                }
                try reader.templates(member.value, field: field)
            }
            self.headers = headers
        }
        body = reader.present("body")
        if let body { try reader.templates(body, field: "body") }
        timeoutSeconds = Self.defaultTimeoutSeconds
        if let value = reader.present("timeout_seconds") {
            guard let seconds = value.doubleValue, Self.timeoutRange.contains(seconds) else {
                throw reader.fail("timeout_seconds", "must be a number from 1 to 60")
            }
            timeoutSeconds = seconds
        }
        connectTimeoutSeconds = Self.defaultConnectTimeoutSeconds
        if let value = reader.present("connect_timeout_seconds") {
            guard let seconds = value.doubleValue, Self.connectTimeoutRange.contains(seconds) else {
                throw reader.fail("connect_timeout_seconds", "must be a number from 0.1 to 30")
            }
            connectTimeoutSeconds = seconds
        }
        saveAs = "source"
        if let value = reader.present("save_as") {
            guard case .string(let name) = value, DefinitionText.isName(name, allowUppercase: false) else {
                throw reader.fail("save_as", "must match [a-z0-9_]+")
            }
            saveAs = name
        }
    }
}
