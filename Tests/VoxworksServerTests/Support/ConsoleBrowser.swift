import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksStore

/// A browser's side of the console for in-process router tests: cookies,
/// form posts, and the CSRF token scraped from the page like a browser would submit it.
struct ConsoleBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf = ""

    init(_ client: any TestClientProtocol) { self.client = client }

    /// Signs in with `key` the way the sign-in form does; returns the sign-in POST's response.
    @discardableResult
    mutating func signIn(_ key: String) async throws -> TestResponse {
        let page = try await get("/app/sign-in")
        #expect(page.status == .ok)
        let token = try #require(ConsoleBrowser.hiddenField("csrf", in: page.text))
        let response = try await post("/app/sign-in", ["csrf": token, "api_key": key])
        if response.status == .seeOther {
            let home = try await get("/app/automations")
            csrf = ConsoleBrowser.hiddenField("csrf", in: home.text) ?? ""
        }
        return response
    }

    mutating func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let cookie = cookieHeader { headers[.cookie] = cookie }
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        remember(response)
        return response
    }

    /// A form post; `csrf` is added unless the fields name it.
    mutating func post(_ uri: String, _ fields: [String: String], headers extra: HTTPFields = [:], addCSRF: Bool = true) async throws
        -> TestResponse
    {
        var fields = fields
        if addCSRF, fields["csrf"] == nil, !csrf.isEmpty { fields["csrf"] = csrf }
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie = cookieHeader { headers[.cookie] = cookie }
        let body = fields.map { "\(ConsoleBrowser.encode($0.key))=\(ConsoleBrowser.encode($0.value))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    private var cookieHeader: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    private mutating func remember(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(pair[0])
            if value.contains("Max-Age=0") || pair[1].isEmpty { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
        }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The value of the first hidden input named `name`.
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

extension TestResponse {
    var location: String? { headers[.location] }

    func setCookie(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }
}
