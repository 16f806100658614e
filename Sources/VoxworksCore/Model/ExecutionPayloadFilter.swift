/// `payload.lead.email=ada@example.com` on `GET /api/v1/executions`: the
/// executions whose trigger payload holds that value at that path.
///
/// No index covers a payload field, so the stores scan: at most
/// `ExecutionQuery.scanBound` of the newest executions that match the
/// other filters (automation, status, time range, cursor) are looked at.
public struct ExecutionPayloadFilter: Sendable, Equatable {
    public static let prefix = "payload."
    public static let maxDepth = 8
    public static let maxKeyLength = 128

    /// Object keys from the payload's root.
    public let path: [String]
    public let value: String

    /// Nil when `name` (`payload.` followed by dot-separated keys) is not a
    /// usable path: an empty key, or deeper or longer than the bounds.
    public init?(name: String, value: String) {
        guard name.hasPrefix(Self.prefix) else { return nil }
        let keys = name.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.isEmpty, keys.count <= Self.maxDepth, keys.allSatisfy({ !$0.isEmpty && $0.utf8.count <= Self.maxKeyLength })
        else { return nil }
        path = keys
        self.value = value
    }

    /// Whether `body` (the payload as received) holds `value` at `path`: a
    /// string equal to it, or a number, `true`, `false` or `null` written
    /// the same way. A body that is not JSON never matches.
    public func matches(_ body: [UInt8]) -> Bool {
        guard var current = try? JSONParser().parse(body) else { return false }
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return false }
            current = next
        }
        switch current {
        case .string(let text): return text == value
        case .object, .array: return false
        default: return current.serialized == value
        }
    }
}
