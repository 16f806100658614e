import Foundation
import VoxworksCore

#if canImport(Glibc)
    import Glibc
#endif

/// Which addresses and ports `http_request` may reach. Loopback, private,
/// link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
/// multicast, unspecified, site-local, discard-only, Teredo and 6to4
/// addresses, in IPv4 and IPv6, are refused; an IPv4-mapped IPv6 address is
/// judged as the IPv4 address it is, and a NAT64 (`64:ff9b::/96`) address
/// as the IPv4 address it embeds. This node's own HTTP listener
/// (`own`) is refused too, whatever its address, so that a step
/// cannot call the service's own API or feed its own webhooks in a loop.
///
/// The allow-list opens exceptions. An entry with a port opens exactly that
/// port; an entry without one opens every port except this node's own
/// listener, which only an entry naming its port can open (a range with a
/// port, `127.0.0.0/8:8080`, names it too).
public struct OutboundPolicy: Sendable {
    public var entries: [Entry]
    /// Ranges holding this node's own addresses, with the port it listens on.
    let own: (ranges: [IPRange], port: Int)?

    /// `allow` holds entries in `Entry`'s syntax; an entry that does not
    /// parse opens nothing (the server refuses to start with one, see
    /// `Entry.init`). `own` is where this node's HTTP server listens.
    public init(allow: [String] = [], own: ListenAddress? = nil) {
        entries = allow.compactMap { Entry($0) }
        self.own = own.map { ($0.ranges(), $0.port) }
    }

    /// Whether a connection to `address` on `port` is permitted; `host` is
    /// the name it was resolved from, matched against host-name entries.
    public func permits(address: IPAddress, port: Int, host: String? = nil) -> Bool {
        let address = address.unmapped
        let isOwn = own.map { $0.port == port && $0.ranges.contains { $0.contains(address) } } ?? false
        if !isOwn && !Self.isRestricted(address) { return true }
        let name = host?.lowercased()
        return entries.contains { entry in
            guard entry.port == port || (entry.port == nil && !isOwn) else { return false }
            switch entry.target {
            case .host(let entryName): return entryName == name
            case .range(let range): return range.contains(address)
            }
        }
    }

    /// `permits(address:port:)` for text; anything that is not an IP address is refused.
    public func permits(address text: String, port: Int) -> Bool {
        IPAddress(text).map { permits(address: $0, port: port) } ?? false
    }

    static let restrictedV4: [IPRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.88.99.0/24",  // 6to4 relay anycast (deprecated): a relay into 6to4, refused below
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    ].compactMap { IPRange($0) }

    /// Refused whatever they embed: none is a destination a step needs.
    static let restrictedV6: [IPRange] = [
        "::/96",  // unspecified, loopback, and the deprecated IPv4-compatible form
        "::ffff:0:0:0/96",  // IPv4-translated (SIIT)
        "64:ff9b:1::/48",  // local-use NAT64
        "100::/64",  // discard-only
        "2001::/32",  // Teredo (an obsolete tunnel to an address it hides)
        // 6to4 (deprecated): 2002:V4::/48 is the IPv6 network behind the 6to4
        // router at IPv4 address V4, so even a public V4 (the operator's own
        // router) can front a private network; judging V4 alone is not enough.
        "2002::/16",
        "fc00::/7",  // unique local
        "fe80::/10",  // link-local
        "fec0::/10",  // site-local (deprecated, still routed by some networks)
        "ff00::/8",  // multicast
    ].compactMap { IPRange($0) }

    static let nat64 = IPRange("64:ff9b::/96")

    /// Whether `address` (already unmapped) is loopback, private or otherwise not a public destination.
    static func isRestricted(_ address: IPAddress) -> Bool {
        switch address {
        case .v4:
            return restrictedV4.contains { $0.contains(address) }
        case .v6(_, let low):
            if restrictedV6.contains(where: { $0.contains(address) }) { return true }
            // The IPv4 address NAT64 carries is where the packets end up.
            if nat64?.contains(address) == true { return isRestricted(.v4(UInt32(truncatingIfNeeded: low))) }
            return false
        }
    }
}

extension OutboundPolicy {
    /// One allow-list entry (`VOXWORKS_OUTBOUND_ALLOW` is a comma-separated list of them):
    ///
    /// - `10.1.2.3`, `10.1.2.3:9000`: one IPv4 address, every port or one;
    /// - `::1`, `[::1]`, `[::1]:9000`: one IPv6 address (a port needs the brackets);
    /// - `10.0.0.0/8`, `fd00::/8`: a range, every port;
    /// - `10.0.0.0/8:9000`, `[fd00::/8]:9000`: a range, one port;
    /// - `internal.example`, `internal.example:8443`: a host name (whatever it
    ///   resolves to), every port or one.
    ///
    /// "Every port" never includes this node's own listener; only an entry
    /// naming its port opens it.
    public struct Entry: Sendable, Hashable {
        public enum Target: Sendable, Hashable {
            case host(String)
            case range(IPRange)
        }

        public var target: Target
        /// nil: every port except this node's own listener.
        public var port: Int?

        /// nil when `text` is none of the forms above.
        public init?(_ text: some StringProtocol) {
            let text = text.trimmingCharacters(in: .whitespaces).lowercased()
            guard !text.isEmpty else { return nil }
            if text.hasPrefix("[") {
                // [v6], [v6]:port, [v6/prefix] or [v6/prefix]:port
                guard let close = text.firstIndex(of: "]") else { return nil }
                let inner = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard inner.contains(":"), let range = IPRange(String(inner) + (inner.contains("/") ? "" : "/128")) else { return nil }
                if rest.isEmpty {
                    port = nil
                } else {
                    guard rest.hasPrefix(":"), let parsed = Self.port(rest.dropFirst()) else { return nil }
                    port = parsed
                }
                target = .range(range)
                return
            }
            if text.filter({ $0 == ":" }).count >= 2 {
                // A bare IPv6 address or range: no port (it would be ambiguous).
                guard let range = IPRange(text) else { return nil }
                target = .range(range)
                port = nil
                return
            }
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                guard let parsed = Self.port(parts[1]) else { return nil }
                port = parsed
            } else {
                port = nil
            }
            let name = parts[0]
            if name.contains("/") {
                guard let range = IPRange(name) else { return nil }
                target = .range(range)
            } else if let address = IPAddress(name) {
                guard let range = IPRange(network: address, prefix: address.isIPv4 ? 32 : 128) else { return nil }
                target = .range(range)
            } else {
                guard Self.isHostName(name) else { return nil }
                target = .host(String(name))
            }
        }

        static func port(_ text: some StringProtocol) -> Int? {
            guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
                (1...65535).contains(value)
            else { return nil }
            return value
        }

        /// Letters, digits, `-` and `_` in dot-separated labels (none starting
        /// or ending with `-`), not all digits (`1.2.3` is a mistyped address, not a name).
        static func isHostName(_ text: some StringProtocol) -> Bool {
            let labels = text.split(separator: ".", omittingEmptySubsequences: false)
            guard text.utf8.count <= 253, !labels.isEmpty,
                labels.allSatisfy({ label in
                    !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
                })
            else { return false }
            return !labels.allSatisfy { $0.allSatisfy(\.isNumber) }
        }
    }

    /// Where this node's HTTP server listens (`VOXWORKS_HOST`, `VOXWORKS_PORT`).
    public struct ListenAddress: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// The addresses that reach the listener: the one it is bound to, or,
        /// bound to every address (`0.0.0.0`, `::`) or to a name, all of
        /// loopback and every address of this machine's interfaces (read
        /// once, at start).
        func ranges() -> [IPRange] {
            if let address = IPAddress(host), address.unmapped != .v4(0), address != .v6(0, 0),
                let range = IPRange(network: address, prefix: address.isIPv4 ? 32 : 128)
            {
                return [range]
            }
            let fixed = ["127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128"].compactMap { IPRange($0) }
            return fixed + Self.interfaceAddresses().compactMap { IPRange(network: $0, prefix: $0.isIPv4 ? 32 : 128) }
        }

        /// Every address of this machine's interfaces, loopback included.
        public static func interfaceAddresses() -> [IPAddress] {
            var list: UnsafeMutablePointer<ifaddrs>?
            guard getifaddrs(&list) == 0, let first = list else { return [] }
            defer { freeifaddrs(list) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<ifaddrs>? = first
            while let entry = cursor {
                if let socketAddress = entry.pointee.ifa_addr {
                    switch Int32(socketAddress.pointee.sa_family) {
                    case AF_INET:
                        let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                        addresses.append(.v4(UInt32(bigEndian: value)))
                    case AF_INET6:
                        let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                        addresses.append(withUnsafeBytes(of: bytes) { IPAddress(v6Bytes: $0) })
                    default: break
                    }
                }
                cursor = entry.pointee.ifa_next
            }
            return addresses
        }
    }
}
