/// A request to a webhook as a verification scheme sees it: exactly the
/// bytes and headers received, and the URL the sender called (some
/// providers sign it).
public struct InboundRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    /// The full URL as the sender called it: the configured `url` of the
    /// scheme, or the webhook's public URL, with the query string received.
    public var url: String
    /// Header names lower-cased, values as received, in order.
    public var headers: [(name: String, value: String)]
    /// Query parameters, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: Method, url: String, headers: [(name: String, value: String)], query: [(name: String, value: String)] = [],
        body: [UInt8]
    ) {
        self.method = method
        self.url = url
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.query = query
        self.body = body
    }

    /// The first value of a header, by name in any case.
    public func header(_ name: String) -> String? {
        // Names are kept lower-case, and the schemes ask in lower case: the
        // name is lower-cased (a new string) only when it holds a capital,
        // as a configured header name may.
        if name.utf8.contains(where: { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 >= 0x80 }) {
            let lowered = name.lowercased()
            return headers.first(where: { $0.name == lowered })?.value
        }
        return headers.first(where: { $0.name == name })?.value
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query.first(where: { $0.name == name })?.value
    }
}
