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

    public static func generate() -> String {
        SecretMaterial.hex(SecretMaterial.randomBytes(12))
    }
}
