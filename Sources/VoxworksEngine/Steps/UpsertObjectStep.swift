import VoxworksCore
import VoxworksStore

/// `upsert_object`: a typed JSON record mirroring a CRM item, keyed by a
/// key path into its data; sets `objects.<type>`.
struct UpsertObjectStep: StepRunner {
    let store: any ExecutionStore
    let clock: @Sendable () -> Timestamp

    var effects: StepEffects { .inStoreTransaction }

    func run(_ spec: UpsertObjectSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        let data = Template.render(spec.data, in: context)
        guard data.objectValue != nil else { throw StepFailure("data must be an object") }
        let paths = spec.keyPath.map { [$0] } ?? ObjectKey.defaultPaths
        guard let (path, key) = ObjectKey.find(in: data, paths: paths) else {
            throw StepFailure("no key for the object: \(paths.joined(separator: " and ")) are missing or empty in data")
        }
        do {
            let (object, created) = try await store.upsertObject(
                teamID: step.execution.teamID, type: spec.objectType, key: key, data: data, now: clock(), log: step.leadingLog)
            context.set(data, at: "objects.\(spec.objectType)")
            return .done(output: .object(["object": object, "created": .bool(created), "key_path": .string(path)]))
        } catch {
            throw StepFailure("could not save the object: \(error)", retryable: true)
        }
    }
}
