import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address as numbers, so that ranges are compared by
/// masking instead of by text (one address has many spellings).
public enum IPAddress: Hashable, Sendable {
    case v4(UInt32)
    /// The high and the low 64 bits.
    case v6(UInt64, UInt64)

    /// Dotted IPv4 or any IPv6 spelling (`[…]` brackets allowed); nil for anything else.
    public init?(_ text: some StringProtocol) {
        var string = String(text)
        if string.hasPrefix("[") && string.hasSuffix("]") { string = String(string.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
        self = withUnsafeBytes(of: v6) { IPAddress(v6Bytes: $0) }
    }

    /// 16 bytes in network order (an `in6_addr`), read without copying them anywhere.
    public init(v6Bytes bytes: UnsafeRawBufferPointer) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self = .v6(high, low)
    }

    /// 4 or 16 bytes in network order; nil for any other count.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case 16: self = bytes.withUnsafeBytes { IPAddress(v6Bytes: $0) }
        default: return nil
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what a dual-stack
    /// socket reports for an IPv4 peer) as the IPv4 address it is; any
    /// other address unchanged. Every rule judges this form.
    public var unmapped: IPAddress {
        if case .v6(0, let low) = self, low >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: low)) }
        return self
    }

    public var isIPv4: Bool {
        switch self {
        case .v4: true
        case .v6: false
        }
    }

    /// The address with only its first `prefix` bits kept.
    func masked(_ prefix: Int) -> IPAddress {
        switch self {
        case .v4(let value):
            return .v4(prefix <= 0 ? 0 : prefix >= 32 ? value : value & ~(UInt32.max >> UInt32(prefix)))
        case .v6(let high, let low):
            if prefix <= 0 { return .v6(0, 0) }
            if prefix <= 64 { return .v6(prefix == 64 ? high : high & ~(UInt64.max >> UInt64(prefix)), 0) }
            return .v6(high, prefix >= 128 ? low : low & ~(UInt64.max >> UInt64(prefix - 64)))
        }
    }

    var bitWidth: Int { isIPv4 ? 32 : 128 }
}

/// A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or one address (`192.0.2.7`, `::1`).
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    /// An IPv4-mapped network of prefix 96 or more becomes the IPv4 range it
    /// is, so that it matches what `contains` compares (unmapped addresses).
    public init?(network: IPAddress, prefix: Int) {
        guard prefix >= 0, prefix <= network.bitWidth else { return nil }
        if prefix >= 96, case .v4(let value) = network.unmapped, !network.isIPv4 {
            self.network = IPAddress.v4(value).masked(prefix - 96)
            self.prefix = prefix - 96
        } else {
            self.network = network.masked(prefix)
            self.prefix = prefix
        }
    }

    /// `address` or `address/prefix`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        if parts.count == 1 {
            self.init(network: address, prefix: address.bitWidth)
        } else {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let prefix = Int(parts[1]) else { return nil }
            self.init(network: address, prefix: prefix)
        }
    }

    /// Whether `address` (IPv4-mapped IPv6 judged as IPv4) lies in the range.
    public func contains(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        guard address.isIPv4 == network.isIPv4 else { return false }
        return address.masked(prefix) == network
    }

    public var description: String {
        switch network {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)/\(prefix)"
        case .v6(let high, let low):
            let groups = [high >> 48, high >> 32, high >> 16, high, low >> 48, low >> 32, low >> 16, low]
            return groups.map { String($0 & 0xFFFF, radix: 16) }.joined(separator: ":") + "/\(prefix)"
        }
    }
}
