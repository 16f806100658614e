import VoxworksCore

/// The fields a management request body may hold, object by object. A
/// field the endpoint does not know is a `400` naming it (`unknown field
/// "webhok" (did you mean "webhook"?)`): a misspelt field used to be
/// ignored, and the request succeeded without doing what was asked.
enum BodyFields {
    static let automation = ["name", "enabled", "definition", "webhook"]
    static let webhook = ["signing", "rate_limit", "verification", "accept"]
    static let rateLimit = ["per_second", "burst"]
    static let replay = ["from"]

    /// Throws for the first key of `object` not in `accepted`; `path` is
    /// where the object sits (`webhook.`), so the message names the field
    /// as the client wrote it.
    static func check(_ object: JSONObject, accepted: [String], at path: String = "") throws {
        for key in object.keys where !accepted.contains(key) {
            throw APIError.unknownName(path + key, kind: "field", known: accepted.map { path + $0 })
        }
    }
}
