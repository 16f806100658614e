import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// The console's sign-in, session, CSRF and header rules.
@Suite struct ConsoleAuthTests {
    @Test(arguments: StoreKind.available)
    func signingInTurnsTheKeyIntoAStrictHttpOnlySessionCookie(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            let page = try await browser.get("/app/sign-in")
            #expect(page.status == .ok)
            #expect(page.text.contains("<form method=\"post\" action=\"/app/sign-in\""))
            let signInCookie = try #require(page.setCookie("vx_csrf"))
            #expect(signInCookie.contains("HttpOnly") && signInCookie.contains("SameSite=Strict") && signInCookie.contains("Path=/app"))

            let response = try await browser.signIn(harness.apiKey)
            #expect(response.status == .seeOther)
            #expect(response.location == "/app/overview")
            let cookie = try #require(response.setCookie("vx_session"))
            #expect(cookie.contains("; HttpOnly"))
            #expect(cookie.contains("; SameSite=Strict"))
            #expect(cookie.contains("; Path=/app"))
            #expect(cookie.contains("Max-Age=43200"))
            // The harness's public URL is https: the cookie is Secure.
            #expect(cookie.contains("; Secure"))
            // The store holds the token's hash, never the token.
            let token = try #require(browser.cookies["vx_session"])
            let session = try #require(try await harness.store.consoleSession(tokenHash: SecretMaterial.hash(token), now: .now()))
            #expect(session.teamID == harness.teamID)
            #expect(session.apiKeyHash == SecretMaterial.hash(harness.apiKey))
            #expect(try await harness.store.consoleSession(tokenHash: token, now: .now()) == nil)

            let list = try await browser.get("/app/automations")
            #expect(list.status == .ok)
            #expect(list.text.contains("<h1>Automations</h1>"))
            #expect(list.text.contains("action=\"/app/sign-out\""))
        }
    }

    @Test func theCookieIsSecureOnlyOverHTTPS() async throws {
        let harness = try await TestHarness.make { $0.publicURL = "http://127.0.0.1:8080" }
        try await harness.withRouter { client in
            var plain = ConsoleBrowser(client)
            let response = try await plain.signIn(harness.apiKey)
            let cookie = try #require(response.setCookie("vx_session"))
            #expect(!cookie.contains("Secure"))

            let page = try await client.execute(uri: "/app/sign-in", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(page.setCookie("vx_csrf")?.contains("; Secure") == true)
        }
    }

    @Test func pagesWithoutASessionRedirectToSignIn() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            for path in ["/app", "/app/automations", "/app/automations/new", "/app/executions", "/app/executions/\(UUID().uuidString)"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.location == "/app/sign-in", "\(path)")
                #expect(response.header("Content-Security-Policy") != nil)
            }
            // An unknown session token: back to sign-in, and the cookie is cleared.
            let unknown = try await client.execute(uri: "/app/automations", method: .get, headers: [.cookie: "vx_session=forged-token"])
            #expect(unknown.status == .seeOther)
            #expect(unknown.location == "/app/sign-in")
            #expect(unknown.setCookie("vx_session")?.contains("Max-Age=0") == true)
            // A POST without a session never reaches the handler.
            let post = try await client.execute(
                uri: "/app/automations", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "name=x&definition=%7B%7D"))
            #expect(post.status == .seeOther)
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).isEmpty)
        }
    }

    @Test func aWrongKeyIsShownBesideTheField() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            for key in ["vx_not-a-real-key", "hello", ""] {
                let response = try await browser.signIn(key)
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("id=\"api_key_error\""))
                #expect(response.text.contains("That API key is not valid"))
                #expect(response.text.contains("aria-invalid=\"true\""))
                #expect(response.setCookie("vx_session") == nil)
            }
        }
    }

    @Test func signInNeedsItsDoubleSubmitToken() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            // No cookie: a cross-site form cannot know or set it.
            let noCookie = try await client.execute(
                uri: "/app/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=abc&api_key=\(harness.apiKey)"))
            #expect(noCookie.status == .forbidden)
            #expect(noCookie.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(noCookie.setCookie("vx_session") == nil)
            // Cookie and field differ.
            let mismatch = try await client.execute(
                uri: "/app/sign-in", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "vx_csrf=one"],
                body: ByteBuffer(string: "csrf=two&api_key=\(harness.apiKey)"))
            #expect(mismatch.status == .forbidden)
            #expect(mismatch.setCookie("vx_session") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyFormPostNeedsTheSessionsCSRFToken(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            #expect(browser.csrf.count >= 40)
            let fields = ["name": "Lead", "definition": #"{"trigger":{"type":"webhook"},"steps":[]}"#, "enabled": "on"]
            let missing = try await browser.post("/app/automations", fields, addCSRF: false)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("did not come from this console"))
            var wrong = fields
            wrong["csrf"] = String(browser.csrf.reversed())
            #expect(try await browser.post("/app/automations", wrong).status == .forbidden)
            let crossOrigin = try await browser.post("/app/automations", fields, headers: [.origin: "https://evil.example"])
            #expect(crossOrigin.status == .forbidden)
            let secFetchSite = try #require(HTTPField.Name("Sec-Fetch-Site"))
            #expect(try await browser.post("/app/automations", fields, headers: [secFetchSite: "cross-site"]).status == .forbidden)
            #expect(try await browser.post("/app/automations", fields, headers: [secFetchSite: "same-site"]).status == .forbidden)
            // `Origin: null` (what no-referrer pages send) passes only as a same-origin fetch.
            #expect(try await browser.post("/app/automations", fields, headers: [.origin: "null"]).status == .forbidden)
            #expect(
                try await browser.post("/app/automations", fields, headers: [.origin: "null", secFetchSite: "cross-site"]).status
                    == .forbidden)
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).isEmpty)

            let right = try await browser.post("/app/automations", fields)
            #expect(right.status == .seeOther)
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).map(\.name) == ["Lead"])
            let sameOrigin = try await browser.post("/app/automations", fields, headers: [.origin: "null", secFetchSite: "same-origin"])
            #expect(sameOrigin.status == .seeOther)
            #expect(try await harness.store.automations(teamID: harness.teamID, after: nil, limit: 10).count == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func signingOutOrRevokingTheKeyEndsTheSession(_ kind: StoreKind) async throws {
        let harness = try await TestHarness.make(kind)
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let token = try #require(browser.cookies["vx_session"])
            let out = try await browser.post("/app/sign-out", [:])
            #expect(out.status == .seeOther)
            #expect(out.location == "/app/sign-in?signed_out=1")
            #expect(out.setCookie("vx_session")?.contains("Max-Age=0") == true)
            #expect(try await harness.store.consoleSession(tokenHash: SecretMaterial.hash(token), now: .now()) == nil)
            // The old cookie, replayed, no longer works.
            let replayed = try await client.execute(uri: "/app/automations", method: .get, headers: [.cookie: "vx_session=\(token)"])
            #expect(replayed.status == .seeOther)
            #expect(replayed.location == "/app/sign-in")

            // Revoking the key that signed in ends its sessions.
            var second = ConsoleBrowser(client)
            try await second.signIn(harness.apiKey)
            #expect(try await second.get("/app/automations").status == .ok)
            #expect(try await harness.store.revokeAPIKey(keyHash: SecretMaterial.hash(harness.apiKey), now: .now()))
            let afterRevoke = try await second.get("/app/automations")
            #expect(afterRevoke.status == .seeOther)
            #expect(afterRevoke.location == "/app/sign-in")
        }
    }

    @Test func aConsoleSessionOverARealSocketLogsNoCredential() async throws {
        let capture = LogCapture()
        let harness = try await TestHarness.make()
        let (automation, _) = try await harness.automation(name: "Signed", signing: true)
        let (sessionToken, secret) = try await harness.application(logger: capture.logger(level: .trace)).test(.live) { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let token = try #require(browser.cookies["vx_session"])
            // Already signed in: the sign-in page sends the browser on.
            #expect(try await browser.get("/app/sign-in").location == "/app/overview")
            let rotated = try await browser.post("/app/automations/\(automation.id.lowercased)/rotate-secret", [:])
            let secret = try #require(rotated.text.firstMatch(of: /whsec_[A-Za-z0-9+\/=]+/).map { String($0.output) })
            let sent = try await browser.post("/app/automations/\(automation.id.lowercased)/test", ["payload": #"{"a":1}"#])
            #expect(sent.status == .seeOther)
            #expect(try await browser.get("/app/nope").status == .notFound)
            return (token, secret)
        }
        let logs = capture.lines.value.joined(separator: "\n")
        #expect(!logs.isEmpty)
        for credential in [harness.apiKey, sessionToken, secret, String(secret.dropFirst(6)), automation.webhook.token] {
            #expect(!logs.contains(credential))
        }
    }

    @Test func sessionsExpireAfterTwelveHours() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            harness.clock.advance(seconds: 11 * 3600)
            #expect(try await browser.get("/app/automations").status == .ok)
            harness.clock.advance(seconds: 3600 + 1)
            #expect(try await browser.get("/app/automations").status == .seeOther)
        }
    }

    @Test func everyConsoleResponseCarriesTheSecurityHeaders() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            var browser = ConsoleBrowser(client)
            try await browser.signIn(harness.apiKey)
            let csp =
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            let signInPage = try await client.execute(uri: "/app/sign-in", method: .get)
            #expect(signInPage.header("Content-Security-Policy") == csp)
            #expect(signInPage.header("Cache-Control") == "no-store")
            for path in ["/app/automations", "/app/automations/new", "/app/executions", "/app/nope", "/app/automations/\(UUID())"] {
                let response = try await browser.get(path)
                #expect(response.header("Content-Security-Policy") == csp, "\(path)")
                #expect(response.header("X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(response.header("Referrer-Policy") == "no-referrer", "\(path)")
                #expect(response.header("Cache-Control") == "no-store", "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                // No inline script or style: the CSP would block them.
                #expect(!response.text.contains("<script>") && !response.text.contains("style=") && !response.text.contains("<style"))
            }
            let missing = try await browser.get("/app/nope")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("<h1>Not found</h1>"))
            // A known console path with the wrong method: an HTML 405 with Allow.
            let wrongMethod = try await client.execute(uri: "/app/sign-in", method: .delete)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.header("Allow") == "GET, POST")
            #expect(wrongMethod.headers[.contentType]?.hasPrefix("text/html") == true)
            // The API keeps its JSON contract.
            try expectError(try await client.execute(uri: "/api/v1/nope", method: .get), .notFound)

            let css = try await client.execute(uri: "/app/assets/console.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.header("Cache-Control") == "public, max-age=86400")
            #expect(css.header("Content-Security-Policy") == csp)
            let js = try await client.execute(uri: "/app/assets/console.js", method: .get)
            #expect(js.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(js.text.contains("X-Console-Fragment"))
            #expect(try await client.execute(uri: "/app/assets/other.js", method: .get).status == .notFound)
        }
    }
}
