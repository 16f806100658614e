import HTTPTypes
import Hummingbird
import VoxworksCore

/// Which methods each route template accepts, so that a known path asked
/// with another method gets `405` and an `Allow` header (not a `404`, which
/// would say the resource does not exist). Filled once the router is built.
final class AllowedMethods: Sendable {
    private let table = LockedBox<[(segments: [String?], methods: Set<String>)]>([])

    func load(_ routes: [Router<VoxworksRequestContext>.RouteDescription]) {
        var table: [[String?]: Set<String>] = [:]
        for route in routes {
            // nil stands for a captured segment (`{id}`), which matches anything.
            let segments = route.path.description.split(separator: "/").map { part -> String? in
                part.hasPrefix(":") || part.hasPrefix("{") || part == "*" ? nil : String(part)
            }
            table[segments, default: []].insert(route.method.rawValue)
        }
        self.table.withLock { $0 = table.map { (segments: $0.key, methods: $0.value) } }
    }

    /// The methods allowed on `path`, or nil when no route has that shape.
    func methods(for path: String) -> Set<String>? {
        let parts = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        // The router takes a fixed segment before a captured one at each
        // level (`/executions/bulk-replay` is not `/executions/{id}`), so
        // only the most specific matching routes count.
        var found: Set<String> = []
        var best: [Bool] = []
        for entry in table.value where entry.segments.count == parts.count {
            guard zip(entry.segments, parts).allSatisfy({ $0.0 == nil || $0.0 == $0.1 }) else { continue }
            let fixed = entry.segments.map { $0 != nil }
            if found.isEmpty || fixed.lexicographicallyPrecedes(best, by: { $0 && !$1 }) {
                found = entry.methods
                best = fixed
            } else if fixed == best {
                found.formUnion(entry.methods)
            }
        }
        return found.isEmpty ? nil : found
    }
}
