import VoxworksCore

import Foundation

/// Query parameters of the list endpoints; a bad one is a `400` that names it.
enum QueryParsing {
    static let maxLimit = 100
    static let defaultLimit = 25

    /// The query parameters, first occurrence of each name, decoded as
    /// `application/x-www-form-urlencoded`: `+` is a space (what browsers,
    /// `URLSearchParams` and most HTTP clients send for one), `%2B` a plus.
    static func parameters(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in pairs(query) where result[name] == nil { result[name] = value }
        return result
    }

    /// Every name=value pair in order, repeated names included, decoded as
    /// `parameters` decodes them.
    static func pairs(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        func decode(_ text: Substring) -> String {
            let spaced = text.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The page size. Absent is the default; present, even empty, it must
    /// be an integer in range (unlike a filter, whose empty value is the
    /// same as none: `limit=` is not a page size, and the reference says
    /// any other value is a `400`).
    static func limit(_ text: String?) throws -> Int {
        guard let text else { return defaultLimit }
        guard let value = Int(text), (1...maxLimit).contains(value) else {
            throw APIError.badRequest("limit must be an integer from 1 to \(maxLimit)")
        }
        return value
    }

    static func uuid(_ text: String?, name: String) throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw APIError.badRequest("\(name) must be a UUID") }
        return id
    }

    static func time(_ text: String?, name: String) throws -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        guard let time = Timestamp(rfc3339: text) else {
            throw APIError.badRequest("\(name) must be an RFC 3339 time such as 2026-01-31T09:00:00Z")
        }
        return time
    }
}

/// The parameters every list of a team's records shares: `limit`,
/// `cursor`, `automation_id`, `created_after`, `created_before`, each
/// checked as `QueryParsing` checks it.
struct ListWindow {
    var limit: Int
    var automationID: UUID?
    var before: UUID?
    var createdAfter: Timestamp?
    var createdBefore: Timestamp?

    /// From the query's parameters; an empty filter is the same as none.
    init(_ parameters: [String: String]) throws {
        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        limit = try QueryParsing.limit(parameters["limit"])
        automationID = try QueryParsing.uuid(text("automation_id"), name: "automation_id")
        before = try QueryParsing.uuid(text("cursor"), name: "cursor")
        createdAfter = try QueryParsing.time(text("created_after"), name: "created_after")
        createdBefore = try QueryParsing.time(text("created_before"), name: "created_before")
    }
}
