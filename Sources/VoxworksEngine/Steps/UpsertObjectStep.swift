import VoxworksCore
import VoxworksStore

/// `upsert_object`: a typed JSON record mirroring a CRM item, keyed by a
/// key path into its data; sets `objects.<type>`.
struct UpsertObjectStep: StepRunner {
    let store: any Store
    let clock: @Sendable () -> Timestamp

    /// Tried in order when the step names no key path (product docs).
    static let defaultKeyPaths = ["$.external_ids.rex.property_id", "$.id"]

    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        guard let type = step.definition.string("object_type") else { throw StepFailure("object_type is required") }
        let data = Template.render(step.definition["data"] ?? .object([:]), in: context)
        guard data.objectValue != nil else { throw StepFailure("data must be an object") }
        let paths = step.definition.string("key_path").map { [$0] } ?? Self.defaultKeyPaths
        guard let (path, key) = Self.key(in: data, paths: paths) else {
            throw StepFailure("no key for the object: \(paths.joined(separator: " and ")) are missing or empty in data")
        }
        do {
            let (object, created) = try await store.upsertObject(teamID: step.execution.teamID, type: type, key: key, data: data, now: clock())
            context.set(data, at: "objects.\(type)")
            return .done(output: .object(["object": object, "created": .bool(created), "key_path": .string(path)]))
        } catch {
            throw StepFailure("could not save the object: \(error)", retryable: true)
        }
    }

    /// The first key path that yields a non-empty string or number.
    static func key(in data: JSONValue, paths: [String]) -> (path: String, key: String)? {
        for path in paths {
            var value: JSONValue? = data
            for part in path.dropFirst(2).split(separator: ".") {
                value = value?[String(part)]
            }
            switch value {
            case .string(let text)? where !text.isEmpty: return (path, text)
            case .number(let literal)?: return (path, literal)
            default: continue
            }
        }
        return nil
    }
}
