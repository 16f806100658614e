/// How many executions of one automation may be in flight at once
/// (definition field `concurrency`), and the team-wide default cap.
///
/// "In flight" is an execution a worker holds: status `processing` and not
/// parked in a wait. The claim skips an automation or a team at its cap:
/// their executions stay pending, untouched, and spend no attempt. The
/// defaults keep one automation (or one team) from taking a whole node:
/// a node runs 256 or more executions at once, so an automation whose
/// receiver hangs can hold at most a quarter of them, and a team at most
/// half, while the other automations and teams keep being served.
public enum ConcurrencyLimit {
    /// Accepted values of `concurrency`.
    public static let range = 1...10_000
    /// An automation without `concurrency`.
    public static let automationDefault = 64
    /// `VOXWORKS_TEAM_CONCURRENCY` unset.
    public static let teamDefault = 128

    /// The cap of a definition; absent or unusable takes the default.
    public static func automation(_ definition: JSONValue) -> Int {
        guard let value = definition["concurrency"]?.intValue, range.contains(value) else { return automationDefault }
        return value
    }

    /// The cap a definition sets, or nil when it sets none (or an unusable
    /// one): what the stores keep in `automations.concurrency`, so that a
    /// claim reads a column instead of parsing the definition.
    public static func explicit(_ definition: JSONValue) -> Int? {
        guard let value = definition["concurrency"]?.intValue, range.contains(value) else { return nil }
        return value
    }

    /// Checks the `concurrency` field of a definition.
    public static func validate(_ definition: JSONValue) throws(DefinitionError) {
        guard let value = definition["concurrency"], !value.isNull else { return }
        guard let number = value.intValue, range.contains(number) else {
            throw DefinitionError("definition.concurrency must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
    }
}
