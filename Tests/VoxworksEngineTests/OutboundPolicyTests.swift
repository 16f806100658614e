import Testing
import VoxworksEngine

/// Where `http_request` may connect.
@Suite struct OutboundPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1",
    ])
    func restrictedAddressesAreRefused(_ address: String) {
        #expect(!OutboundPolicy().permits(address: address))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8"])
    func publicAddressesArePermitted(_ address: String) {
        #expect(OutboundPolicy().permits(address: address))
    }

    @Test func theAllowListOpensExactlyWhatItNames() {
        let policy = OutboundPolicy(allow: ["127.0.0.1", "10.1.0.0/16", "fd00::/8", "Internal.Example"])
        #expect(policy.permits(address: "127.0.0.1"))
        #expect(!policy.permits(address: "127.0.0.2"))
        #expect(policy.permits(address: "10.1.200.3"))
        #expect(!policy.permits(address: "10.2.0.1"))
        #expect(policy.permits(address: "fd00::5"))
        #expect(!policy.permits(address: "fc00::5"))
        #expect(policy.allowsHost("internal.example"))
        #expect(!policy.allowsHost("other.example"))
    }

    @Test func garbageIsNotAnAddress() {
        #expect(OutboundPolicy.parse("example.com") == nil)
        #expect(OutboundPolicy.parse("1.2.3") == nil)
        #expect(!OutboundPolicy().permits(address: "not-an-ip"))
        #expect(OutboundPolicy.parse("[::1]")?.count == 16)
    }
}
