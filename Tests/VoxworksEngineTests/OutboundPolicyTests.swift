import Testing
import VoxworksCore
import VoxworksEngine

/// Where `http_request` may connect: which addresses, which ports.
@Suite struct OutboundPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1",
    ])
    func restrictedAddressesAreRefused(_ address: String) {
        #expect(!OutboundPolicy().permits(address: address, port: 80))
    }

    /// The IPv6 ranges added for issue #25, and IPv4 in every IPv6 disguise.
    @Test(arguments: [
        "fec0::1", "feff::1",  // site-local (fec0::/10)
        "2002:a00:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1",  // 6to4 embedding 10.0.0.1, 127.0.0.1, 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  // Teredo (2001::/32)
        "100::1", "100::ffff:ffff:ffff:ffff",  // discard-only (100::/64)
        "fc00::1", "fdff:ffff::1",  // unique local (fc00::/7)
        "fe80::1", "febf::1",  // link-local (fe80::/10)
        "64:ff9b::7f00:1", "64:ff9b::c0a8:101", "64:ff9b:1::808:808",  // NAT64 to private, local-use NAT64
        "::ffff:192.168.1.1", "::ffff:c0a8:101", "::ffff:7f00:1", "::ffff:0:0",  // IPv4-mapped private, any spelling
        "::ffff:0:7f00:1", "::ffff:0:808:808",  // IPv4-translated
        "::8.8.8.8", "::127.0.0.1",  // deprecated IPv4-compatible
    ])
    func theAddedIPv6RangesAreRefused(_ address: String) {
        #expect(IPAddress(address) != nil, "the test's own spelling must parse")
        #expect(!OutboundPolicy().permits(address: address, port: 443))
    }

    @Test(arguments: [
        "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8", "::ffff:808:808",
        "64:ff9b::808:808",
    ])
    func publicAddressesArePermitted(_ address: String) {
        #expect(OutboundPolicy().permits(address: address, port: 443))
    }

    /// 6to4 is refused whole: `2002:<v4>::/48` is the IPv6 network behind
    /// the 6to4 router at that IPv4 address, so a public IPv4 (the
    /// operator's own router among them) can front a private network. The
    /// relays' anycast IPv4 range goes with it.
    @Test(arguments: [
        "2002:808:808::1", "2002:5db8:d822:1::10", "2002::", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:192.88.99.1",
        "192.88.99.1", "192.88.99.255",
    ])
    func sixToFourIsRefusedWhateverItEmbeds(_ address: String) {
        #expect(IPAddress(address) != nil, "the test's own spelling must parse")
        #expect(!OutboundPolicy().permits(address: address, port: 443))
        #expect(
            OutboundPolicy(allow: ["2002::/16", "192.88.99.0/24"]).permits(address: address, port: 443), "the allow-list still opens it")
    }

    /// A range may carry a port: `10.0.0.0/8:9000`, `[fd00::/8]:9000`.
    @Test func aRangeWithAPortOpensOnlyThatPort() throws {
        let policy = OutboundPolicy(allow: ["10.1.0.0/16:9000", "[fd00::/8]:9443"], own: .init(host: "127.0.0.1", port: 8080))
        #expect(policy.permits(address: "10.1.2.3", port: 9000))
        #expect(policy.permits(address: "::ffff:10.1.2.3", port: 9000))
        #expect(!policy.permits(address: "10.1.2.3", port: 9001))
        #expect(!policy.permits(address: "10.2.0.1", port: 9000))
        #expect(policy.permits(address: "fd00::5", port: 9443))
        #expect(policy.permits(address: "fdff:1::5", port: 9443))
        #expect(!policy.permits(address: "fd00::5", port: 443))
        #expect(!policy.permits(address: "fc00::5", port: 9443))
        // The own listener: a range naming its port opens it (that is naming it explicitly).
        let own = OutboundPolicy(allow: ["127.0.0.0/8:8080"], own: .init(host: "127.0.0.1", port: 8080))
        #expect(own.permits(address: "127.0.0.1", port: 8080))
        #expect(
            !OutboundPolicy(allow: ["127.0.0.0/8"], own: .init(host: "127.0.0.1", port: 8080)).permits(address: "127.0.0.1", port: 8080))
    }

    @Test func theAllowListOpensExactlyWhatItNames() throws {
        let policy = OutboundPolicy(allow: ["127.0.0.1", "10.1.0.0/16", "fd00::/8", "Internal.Example"])
        #expect(policy.permits(address: "127.0.0.1", port: 80))
        #expect(policy.permits(address: "::ffff:127.0.0.1", port: 80), "an IPv4-mapped address is judged as its IPv4")
        #expect(!policy.permits(address: "127.0.0.2", port: 80))
        #expect(policy.permits(address: "10.1.200.3", port: 80))
        #expect(!policy.permits(address: "10.2.0.1", port: 80))
        #expect(policy.permits(address: "fd00::5", port: 80))
        #expect(!policy.permits(address: "fc00::5", port: 80))
        #expect(policy.permits(address: try #require(IPAddress("10.9.9.9")), port: 80, host: "internal.example"))
        #expect(!policy.permits(address: try #require(IPAddress("10.9.9.9")), port: 80, host: "other.example"))
    }

    @Test func anEntryWithAPortOpensOnlyThatPort() throws {
        let policy = OutboundPolicy(allow: ["127.0.0.1:9000", "[::1]:9000", "internal.example:8443"])
        #expect(policy.permits(address: "127.0.0.1", port: 9000))
        #expect(!policy.permits(address: "127.0.0.1", port: 9001))
        #expect(policy.permits(address: "::1", port: 9000))
        #expect(!policy.permits(address: "::1", port: 9001))
        let inside = try #require(IPAddress("10.0.0.7"))
        #expect(policy.permits(address: inside, port: 8443, host: "Internal.Example"))
        #expect(!policy.permits(address: inside, port: 443, host: "internal.example"))
    }

    @Test func anEntryWithoutAPortNeverOpensThisServicesOwnListener() throws {
        let own = OutboundPolicy.ListenAddress(host: "127.0.0.1", port: 8080)
        let policy = OutboundPolicy(allow: ["127.0.0.1", "::1", "localhost"], own: own)
        #expect(policy.permits(address: "127.0.0.1", port: 9000))
        #expect(!policy.permits(address: "127.0.0.1", port: 8080))
        #expect(!policy.permits(address: "::ffff:127.0.0.1", port: 8080))
        #expect(!policy.permits(address: try #require(IPAddress("127.0.0.1")), port: 8080, host: "localhost"))
        // Another loopback address on that port is another listener.
        #expect(!policy.permits(address: "127.0.0.2", port: 8080), "not allow-listed at all")
        #expect(OutboundPolicy(allow: ["127.0.0.0/8"], own: own).permits(address: "127.0.0.2", port: 8080))

        let named = OutboundPolicy(allow: ["127.0.0.1", "127.0.0.1:8080"], own: own)
        #expect(named.permits(address: "127.0.0.1", port: 8080))
        let byName = OutboundPolicy(allow: ["localhost:8080"], own: own)
        #expect(byName.permits(address: try #require(IPAddress("127.0.0.1")), port: 8080, host: "localhost"))

        let v6 = OutboundPolicy(allow: ["::1"], own: OutboundPolicy.ListenAddress(host: "::1", port: 8080))
        #expect(v6.permits(address: "::1", port: 9000))
        #expect(!v6.permits(address: "::1", port: 8080))
        #expect(
            OutboundPolicy(allow: ["[::1]", "[::1]:8080"], own: OutboundPolicy.ListenAddress(host: "::1", port: 8080))
                .permits(address: "::1", port: 8080))
    }

    /// Bound to every address, the listener is reached on loopback and on
    /// each of this machine's addresses: all of them are its own.
    @Test(arguments: ["0.0.0.0", "::", ""])
    func aWildcardListenerIsOwnOnEveryLocalAddress(_ host: String) {
        let policy = OutboundPolicy(allow: ["0.0.0.0/0", "::/0"], own: OutboundPolicy.ListenAddress(host: host, port: 8080))
        let local = OutboundPolicy.ListenAddress.interfaceAddresses()
        #expect(local.contains(.v4(0x7F00_0001)), "getifaddrs must report loopback")
        for address in local + [.v4(0x7F05_0505)] {
            #expect(!policy.permits(address: address, port: 8080), "\(address)")
            #expect(policy.permits(address: address, port: 8081), "\(address)")
        }
        #expect(policy.permits(address: "10.200.0.1", port: 8080), "another machine's 8080 is not ours")
    }

    @Test(arguments: [
        "1.2.3", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80a", "127.0.0.1:+80", "[::1", "[::1]:", "[::1]9000",
        "[127.0.0.1]:80", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8:0", "10.0.0.0/8:", "[fd00::/8]:", "[fd00::/129]:80",
        "[10.0.0.0/8]:80", "fd00::/129", "exa mple.com", "host:1:2", "*",
        "http://example.com", "example..com", "-", "[fd00::]/8",
    ])
    func malformedEntriesDoNotParse(_ entry: String) {
        #expect(OutboundPolicy.Entry(entry) == nil)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:9000", "::1", "[::1]", "[::1]:9000", "10.0.0.0/8", "fd00::/8", "internal.example",
        "internal.example:8443", "Host-1.Example_2", "localhost", "10.0.0.0/8:9000", "[fd00::/8]:9000", "[fd00::/8]",
    ])
    func wellFormedEntriesParse(_ entry: String) {
        #expect(OutboundPolicy.Entry(entry) != nil)
    }

    @Test func garbageIsNotAnAddress() {
        #expect(IPAddress("example.com") == nil)
        #expect(IPAddress("1.2.3") == nil)
        #expect(!OutboundPolicy().permits(address: "not-an-ip", port: 80))
        #expect(IPAddress("[::1]") == .v6(0, 1))
        #expect(IPAddress("::ffff:10.0.0.1")?.unmapped == .v4(0x0A00_0001))
    }
}
