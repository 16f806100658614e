import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VoxworksCore
import VoxworksEngine
@testable import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

/// Per-address limits that match how networks work: an IPv6 /64 is one
/// client, trusted ranges are spared, failed keys are limited like `404`s.
@Suite struct AddressLimitsTests {
    static func address(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    // MARK: The throttle's unit of counting

    @Test func manyAddressesInOneIPv6Slash64AreThrottledTogether() throws {
        let throttle = AddressThrottle(limit: RateLimit(perSecond: 1.0 / 60, burst: 5))
        let now = 1_000.0
        // Five misses, each from a different address of 2001:db8:1:2::/64.
        for index in 1...5 {
            let from = try Self.address("2001:db8:1:2:\(String(index, radix: 16))::\(index)")
            #expect(throttle.blockedFor(from, now: now) == nil, "miss \(index) is within the burst")
            throttle.record(from, now: now)
        }
        // Any further address of that /64, never seen before, waits.
        for fresh in ["2001:db8:1:2::ffff", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::6"] {
            let wait = try #require(throttle.blockedFor(try Self.address(fresh), now: now), "\(fresh)")
            #expect(wait > 1 && wait <= 60, "one miss refills in a minute: \(wait)")
        }
        // The next /64, and IPv4, are their own clients.
        #expect(throttle.blockedFor(try Self.address("2001:db8:1:3::1"), now: now) == nil)
        #expect(throttle.blockedFor(try Self.address("2001:db8:1:1::1"), now: now) == nil)
        #expect(throttle.blockedFor(try Self.address("192.0.2.1"), now: now) == nil)
        // The allowance refills.
        #expect(throttle.blockedFor(try Self.address("2001:db8:1:2::7"), now: now + 61) == nil)
    }

    @Test func ipv4IsCountedPerAddressAndAMappedPeerAsItsIPv4() throws {
        let throttle = AddressThrottle(limit: RateLimit(perSecond: 1.0 / 60, burst: 3))
        let now = 1_000.0
        // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: the same client.
        for text in ["192.0.2.1", "::ffff:192.0.2.1", "::ffff:c000:201"] {
            throttle.record(try Self.address(text), now: now)
        }
        #expect(throttle.blockedFor(try Self.address("192.0.2.1"), now: now) != nil)
        #expect(throttle.blockedFor(try Self.address("::ffff:192.0.2.1"), now: now) != nil)
        // Its neighbour (same /24, even same /64 if IPv4 were grouped like IPv6) is not.
        #expect(throttle.blockedFor(try Self.address("192.0.2.2"), now: now) == nil)
        #expect(throttle.blockedFor(try Self.address("::ffff:192.0.2.2"), now: now) == nil)
    }

    @Test func anExemptRangeIsNeverThrottled() throws {
        let exempt = ["2001:db8:1:2::/64", "198.51.100.0/24"].compactMap { IPRange($0) }
        #expect(exempt.count == 2)
        let throttle = AddressThrottle(limit: RateLimit(perSecond: 1.0 / 60, burst: 2), exempt: exempt)
        let now = 1_000.0
        for text in ["2001:db8:1:2::1", "198.51.100.7", "::ffff:198.51.100.8"] {
            let from = try Self.address(text)
            for _ in 0..<50 { throttle.record(from, now: now) }
            #expect(throttle.blockedFor(from, now: now) == nil, "\(text) is exempt")
        }
        // Outside the ranges, the same counting throttles.
        let other = try Self.address("198.51.101.7")
        for _ in 0..<3 { throttle.record(other, now: now) }
        #expect(throttle.blockedFor(other, now: now) != nil)
    }

    @Test func theContextReadsThePeerAsNumbers() throws {
        #expect(VoxworksRequestContext.ipAddress(try SocketAddress(ipAddress: "192.0.2.9", port: 1)) == .v4(0xC000_0209))
        #expect(VoxworksRequestContext.ipAddress(try SocketAddress(ipAddress: "2001:db8::1", port: 1)) == IPAddress("2001:db8::1"))
        #expect(VoxworksRequestContext.ipAddress(try SocketAddress(ipAddress: "::ffff:192.0.2.9", port: 1))?.unmapped == .v4(0xC000_0209))
    }

    // MARK: Configuration

    @Test func theNewVariablesAreReadAndCheckedAtStart() throws {
        let defaults = try ServerConfiguration.fromEnvironment([:])
        #expect(defaults.authFailureLimit == RateLimit(perSecond: 10.0 / 60, burst: 20))
        #expect(defaults.notFoundExempt.isEmpty && defaults.authFailureExempt.isEmpty)

        let set = try ServerConfiguration.fromEnvironment([
            "VOXWORKS_NOT_FOUND_EXEMPT": "10.0.0.0/8, 2001:db8::/32,192.0.2.7",
            "VOXWORKS_AUTH_FAILURE_EXEMPT": "::1",
            "VOXWORKS_AUTH_FAILURE_RATE_PER_MINUTE": "30",
            "VOXWORKS_AUTH_FAILURE_BURST": "5",
            "VOXWORKS_OUTBOUND_ALLOW": "127.0.0.1:9000, [::1]:9000, 10.0.0.0/8, hooks.internal:8443, 10.0.0.0/8:9000, [fd00::/8]:9000",
        ])
        #expect(set.notFoundExempt == ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"].compactMap { IPRange($0) })
        #expect(set.authFailureExempt == [IPRange("::1/128")].compactMap { $0 })
        #expect(set.authFailureLimit == RateLimit(perSecond: 0.5, burst: 5))
        #expect(
            set.engine.outboundAllow == [
                "127.0.0.1:9000", "[::1]:9000", "10.0.0.0/8", "hooks.internal:8443", "10.0.0.0/8:9000", "[fd00::/8]:9000",
            ])
        #expect(try ServerConfiguration.fromEnvironment(["VOXWORKS_AUTH_FAILURE_RATE_PER_MINUTE": "0"]).authFailureLimit == nil)

        for (variable, value, bad) in [
            ("VOXWORKS_NOT_FOUND_EXEMPT", "10.0.0.0/8,nope", "nope"),
            ("VOXWORKS_NOT_FOUND_EXEMPT", "10.0.0.0/33", "10.0.0.0/33"),
            ("VOXWORKS_AUTH_FAILURE_EXEMPT", "fd00::/8, 1.2.3", "1.2.3"),
            ("VOXWORKS_OUTBOUND_ALLOW", "127.0.0.1,127.0.0.1:99999", "127.0.0.1:99999"),
            ("VOXWORKS_OUTBOUND_ALLOW", "[::1", "[::1"),
            ("VOXWORKS_OUTBOUND_ALLOW", "10.0.0.0/8:0", "10.0.0.0/8:0"),
            ("VOXWORKS_AUTH_FAILURE_RATE_PER_MINUTE", "-1", "-1"),
        ] {
            do {
                _ = try ServerConfiguration.fromEnvironment([variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect("\(error)".hasPrefix("\(variable)=\(bad) is not valid"), "\(error)")
            }
        }
    }

    // MARK: Over a real socket, from two addresses (127.0.0.2 and 127.0.0.1)

    /// One request on its own connection from `source`.
    static func request(port: Int, from source: String, _ text: String) async throws -> (status: Int, retryAfter: Int?, body: String) {
        let connection = try RawHTTPConnection(port: port, timeoutSeconds: 20, source: source)
        try connection.send(text)
        let answer = await connection.receive(until: isCompleteResponse)
        let head = answer.components(separatedBy: "\r\n\r\n").first ?? ""
        let lines = head.components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let retryAfter = lines.first { $0.lowercased().hasPrefix("retry-after:") }
            .flatMap { Int($0.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespaces)) }
        return (status, retryAfter, String(answer.dropFirst(head.count)))
    }

    static func apiRequest(_ key: String) -> String {
        "GET /api/v1/automations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nConnection: close\r\n\r\n"
    }

    static func signInRequest(_ key: String) -> String {
        let body = "csrf=t0ken&api_key=\(key)"
        return "POST /app/sign-in HTTP/1.1\r\nHost: x\r\nCookie: vx_csrf=t0ken\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    @Test func failedAPIKeysFromOneAddressGet429BeforeAnyKeyIsLookedUp() async throws {
        let harness = try await TestHarness.make { $0.authFailureLimit = RateLimit(perSecond: 1.0 / 60, burst: 3) }
        harness.clock.freeze()
        let wrong = "vx_" + String(repeating: "0", count: 40)
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            for attempt in 0..<3 {
                #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 401, "attempt \(attempt)")
            }
            // Spent: the right key from that address is refused too (so it was not looked up).
            let refused = try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey))
            #expect(refused.status == 429)
            #expect((refused.retryAfter ?? 0) >= 1 && (refused.retryAfter ?? 0) <= 60, "\(String(describing: refused.retryAfter))")
            #expect(refused.body.contains("Too many failed API key attempts from this address"))
            #expect(refused.body.contains("\"success\":false"))
            // Another address is unaffected, right key or wrong.
            #expect(try await Self.request(port: port, from: "127.0.0.1", Self.apiRequest(harness.apiKey)).status == 200)
            #expect(try await Self.request(port: port, from: "127.0.0.1", Self.apiRequest(wrong)).status == 401)
            // A minute later one failure's worth has refilled.
            harness.clock.advance(seconds: 61)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey)).status == 200)
            // Successes are not counted; one more failure spends the refill.
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey)).status == 200)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 401)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 429)
        }
    }

    /// Successful authentication is never slowed: once an address has spent
    /// its allowance, a key this node has accepted before still gets in (and
    /// is looked up as usual); any other key, right or wrong, waits without
    /// a lookup, so a guesser learns nothing.
    @Test func aKeyThisNodeAcceptedIsNotSlowedFromAThrottledAddress() async throws {
        let harness = try await TestHarness.make { $0.authFailureLimit = RateLimit(perSecond: 1.0 / 60, burst: 3) }
        harness.clock.freeze()
        let other = try await harness.otherTeam()  // valid, not yet used on this node
        let wrong = "vx_" + String(repeating: "2", count: 40)
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            #expect(try await Self.request(port: port, from: "127.0.0.1", Self.apiRequest(harness.apiKey)).status == 200)
            for attempt in 0..<3 {
                #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 401, "attempt \(attempt)")
            }
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 429)
            // The accepted key, over the API and the sign-in form, from the throttled address.
            var passed = 0
            for _ in 0..<5 where try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey)).status == 200 {
                passed += 1
            }
            #expect(passed == 5)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(harness.apiKey)).status == 303)
            // A key this node has not accepted yet waits, by API and by sign-in.
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(other.apiKey)).status == 429)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(other.apiKey)).status == 429)
            // Once it signs in from elsewhere, it is known here too.
            #expect(try await Self.request(port: port, from: "127.0.0.1", Self.signInRequest(other.apiKey)).status == 303)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(other.apiKey)).status == 200)
            // Revoked: the lookup says no, the failure counts and the key is forgotten.
            #expect(try await harness.store.revokeAPIKey(keyHash: SecretMaterial.hash(harness.apiKey), now: .now()))
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey)).status == 401)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(harness.apiKey)).status == 429)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(harness.apiKey)).status == 429)
        }
    }

    @Test func acceptedKeysAreBoundedAndForgetOnRevocation() {
        let keys = AcceptedKeys(capacity: 3)
        for index in 0..<3 { keys.insert("hash\(index)") }
        #expect(keys.contains("hash0") && keys.contains("hash2"))
        keys.remove("hash1")
        #expect(!keys.contains("hash1"))
        keys.insert("hash3")
        #expect(keys.count == 3)
        // Full: it starts over rather than grow (the keys come back on their next request from an unthrottled address).
        keys.insert("hash4")
        #expect(keys.count == 1 && keys.contains("hash4"))
        keys.insert("hash4")
        #expect(keys.count == 1)
    }

    @Test func failedSignInsShareTheAllowanceAndGetThe429Page() async throws {
        let harness = try await TestHarness.make { $0.authFailureLimit = RateLimit(perSecond: 1.0 / 60, burst: 3) }
        harness.clock.freeze()
        let wrong = "vx_" + String(repeating: "1", count: 40)
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            for attempt in 0..<2 {
                let failed = try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(wrong))
                #expect(failed.status == 401, "attempt \(attempt)")
                #expect(failed.body.contains("That API key is not valid"))
            }
            // A failed API key from the same address spends the last of the allowance.
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.apiRequest(wrong)).status == 401)
            let refused = try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(harness.apiKey))
            #expect(refused.status == 429)
            #expect((refused.retryAfter ?? 0) >= 1)
            #expect(refused.body.contains("Slow down") && refused.body.contains("Too many failed sign-ins from this address"))
            // Another address signs in.
            #expect(try await Self.request(port: port, from: "127.0.0.1", Self.signInRequest(harness.apiKey)).status == 303)
            harness.clock.advance(seconds: 61)
            #expect(try await Self.request(port: port, from: "127.0.0.2", Self.signInRequest(harness.apiKey)).status == 303)
        }
    }

    @Test func unknownWebhookTokensAreCountedPerAddressAndSpareExemptRanges() async throws {
        let harness = try await TestHarness.make {
            $0.notFoundLimit = RateLimit(perSecond: 0.001, burst: 3)
            $0.notFoundExempt = [IPRange("127.0.0.3")].compactMap { $0 }
        }
        let miss =
            "POST /api/v1/hooks/guess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            for _ in 0..<3 { #expect(try await Self.request(port: port, from: "127.0.0.2", miss).status == 404) }
            let throttled = try await Self.request(port: port, from: "127.0.0.2", miss)
            #expect(throttled.status == 429)
            #expect((throttled.retryAfter ?? 0) >= 1)
            #expect(try await Self.request(port: port, from: "127.0.0.1", miss).status == 404, "another address")
            for attempt in 0..<10 {
                #expect(try await Self.request(port: port, from: "127.0.0.3", miss).status == 404, "exempt, attempt \(attempt)")
            }
        }
    }
}
