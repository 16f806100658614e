import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Which addresses `http_request` may reach. Loopback, private, link-local
/// (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and
/// unspecified addresses, in IPv4 and IPv6 (including IPv4-mapped IPv6), are
/// refused unless the allow-list names the host or a range holding the address.
public struct OutboundPolicy: Sendable {
    /// Entries: host names (exact, case-insensitive), IP addresses, or CIDRs.
    public var allow: [String]

    public init(allow: [String] = []) {
        self.allow = allow.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    public func allowsHost(_ host: String) -> Bool { allow.contains(host.lowercased()) }

    /// Whether a connection to `address` (textual IPv4 or IPv6) is permitted.
    public func permits(address: String) -> Bool {
        guard let bytes = Self.parse(address) else { return false }
        if !Self.isRestricted(bytes) { return true }
        return allow.contains { entry in
            if entry == address.lowercased() { return true }
            guard let (network, prefix) = Self.parseCIDR(entry), network.count == bytes.count else { return false }
            return Self.matches(bytes, network: network, prefix: prefix)
        }
    }

    /// 4 or 16 bytes, or nil when the text is not an IP address.
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: v4) { Array($0) }
        }
        var v6 = in6_addr()
        let stripped = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if inet_pton(AF_INET6, stripped, &v6) == 1 {
            return withUnsafeBytes(of: v6) { Array($0) }
        }
        return nil
    }

    static func parseCIDR(_ entry: String) -> ([UInt8], Int)? {
        let parts = entry.split(separator: "/", maxSplits: 1)
        guard let network = parse(String(parts[0])) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : network.count * 8
        guard let prefix, prefix >= 0, prefix <= network.count * 8 else { return nil }
        return (network, prefix)
    }

    static func matches(_ address: [UInt8], network: [UInt8], prefix: Int) -> Bool {
        var remaining = prefix
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static let restrictedV4: [([UInt8], Int)] = [
        ([0, 0, 0, 0], 8), ([10, 0, 0, 0], 8), ([100, 64, 0, 0], 10), ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16), ([172, 16, 0, 0], 12), ([192, 0, 0, 0], 24), ([192, 168, 0, 0], 16),
        ([198, 18, 0, 0], 15), ([224, 0, 0, 0], 4), ([240, 0, 0, 0], 4),
    ]

    static func isRestricted(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 {
            return restrictedV4.contains { matches(bytes, network: $0.0, prefix: $0.1) }
        }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses carry an IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && ((bytes[10] == 0xFF && bytes[11] == 0xFF) || (bytes[10] == 0 && bytes[11] == 0)) {
            if bytes[10] == 0 && bytes[12..<16].allSatisfy({ $0 == 0 }) { return true }  // :: and ::
            return isRestricted(Array(bytes[12..<16]))
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xFF { return true }  // multicast
        if bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B { return true }  // 64:ff9b::/96 NAT64
        return false
    }
}
