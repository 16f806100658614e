import Synchronization

/// `X-Request-Id`: a sane incoming id is echoed (so a sender can correlate
/// its logs with ours), anything else is replaced.
public enum RequestIdentifier {
    public static func accept(_ incoming: String?) -> String? {
        guard let incoming, !incoming.isEmpty, incoming.utf8.count <= 128 else { return nil }
        let ok = incoming.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default: false
            }
        }
        return ok ? incoming : nil
    }

    /// 24 lowercase hex digits without a system call per request (it used
    /// to read 12 random bytes each time): a random per-process prefix, then
    /// a counter from a random start passed through SplitMix64's finaliser,
    /// a bijection, so no two requests of one process share an id. An id
    /// correlates logs; it is not a secret.
    public static func generate() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        var mixed = (count &+ seed) &* 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        var bytes = prefix
        withUnsafeBytes(of: mixed.bigEndian) { bytes.append(contentsOf: $0) }
        return SecretMaterial.hex(bytes)
    }

    private static let counter = Atomic<UInt64>(0)
    private static let seed = UInt64.random(in: .min ... .max)
    private static let prefix = SecretMaterial.randomBytes(4)
}
