import HTTPTypes
import Hummingbird
import VoxworksCore

/// The console's HTTP-level rules: security headers on every `/app`
/// response, cookie attributes, and the Origin check on form posts.
enum ConsoleSecurity {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let sessionCookie = "vx_session"
    static let signInCookie = "vx_csrf"
    static let sessionLifetimeSeconds: Double = 12 * 3600

    /// Adds the headers every `/app` response carries; pages are never cached.
    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.consoleReferrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
    }

    /// Whether the browser reached us over HTTPS: a proxy's `X-Forwarded-Proto`,
    /// or a public URL configured as https.
    static func isHTTPS(_ request: Request, configuration: ServerConfiguration) -> Bool {
        if request.headers[.xForwardedProto]?.lowercased() == "https" { return true }
        return configuration.publicURL?.lowercased().hasPrefix("https://") == true
    }

    /// A `Set-Cookie` value: `HttpOnly; SameSite=Strict; Path=/app`, `Secure` over HTTPS.
    static func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        var text = "\(name)=\(value); Path=/app; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if secure { text += "; Secure" }
        return text
    }

    /// A form post whose `Origin` is present must come from this host. Browsers
    /// send it on cross-site posts; `SameSite=Strict` and the CSRF token are the other two locks.
    /// Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even on
    /// same-origin posts, so `null` passes only when `Sec-Fetch-Site` (sent by
    /// every current browser) says `same-origin`; any other `Sec-Fetch-Site` is refused.
    static func originAllowed(_ request: Request) -> Bool {
        let fetchSite = request.headers[.secFetchSite]?.lowercased()
        if let fetchSite, fetchSite != "same-origin", fetchSite != "none" { return false }
        guard let origin = request.headers[.origin] else { return true }
        if origin == "null" { return fetchSite == "same-origin" }
        guard let host = request.head.authority, !host.isEmpty else { return false }
        // "scheme://host[:port]": compare the host part, case-insensitively.
        guard let range = origin.range(of: "://") else { return false }
        return origin[range.upperBound...].lowercased() == host.lowercased()
    }
}

extension HTTPField.Name {
    static let consoleReferrerPolicy = named("Referrer-Policy")
    static let xFrameOptions = named("X-Frame-Options")
    static let xForwardedProto = named("X-Forwarded-Proto")
    static let consoleFragment = named("X-Console-Fragment")
    static let secFetchSite = named("Sec-Fetch-Site")
}
