import Testing
import VoxworksCore

/// Addresses as numbers, ranges by masking: one rule for every spelling.
@Suite struct IPAddressTests {
    @Test func spellingsOfOneAddressAreEqual() {
        #expect(IPAddress("2001:db8::1") == IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001"))
        #expect(IPAddress("[::1]") == .v6(0, 1))
        #expect(IPAddress("192.0.2.1") == .v4(0xC000_0201))
        #expect(IPAddress("::ffff:192.0.2.1")?.unmapped == .v4(0xC000_0201))
        #expect(IPAddress("::ffff:c000:201")?.unmapped == .v4(0xC000_0201))
        #expect(IPAddress("2001:db8::1")?.unmapped == IPAddress("2001:db8::1"), "only the mapped form is unmapped")
        #expect(IPAddress(bytes: [192, 0, 2, 1]) == .v4(0xC000_0201))
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "example.com", "::g", "1.2.3.4/8", " 1.2.3.4"])
    func textThatIsNotAnAddress(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test func rangesContainByPrefix() throws {
        let v4 = try #require(IPRange("10.1.0.0/16"))
        #expect(try v4.contains(ip("10.1.255.255")))
        #expect(try !v4.contains(ip("10.2.0.0")))
        #expect(try v4.contains(ip("::ffff:10.1.2.3")), "a mapped address is judged as IPv4")
        let v6 = try #require(IPRange("2001:db8:1:2::/64"))
        #expect(try v6.contains(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")))
        #expect(try !v6.contains(ip("2001:db8:1:3::")))
        #expect(try !v6.contains(ip("10.1.2.3")))
        let odd = try #require(IPRange("fe80::/10"))
        #expect(try odd.contains(ip("febf::1")))
        #expect(try !odd.contains(ip("fec0::1")))
        #expect(try IPRange("0.0.0.0/0")?.contains(ip("203.0.113.9")) == true)
        #expect(IPRange("::ffff:10.0.0.0/104") == IPRange("10.0.0.0/8"), "a mapped range is the IPv4 range")
        #expect(IPRange("192.0.2.7") == IPRange("192.0.2.7/32"))
        #expect(IPRange("10.9.9.9/8") == IPRange("10.0.0.0/8"), "host bits are masked off")
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1", "::/129", "nope/8", "10.0.0.0/8/8"])
    func malformedRanges(_ text: String) {
        #expect(IPRange(text) == nil)
    }
}
