import VoxworksCore

import Foundation

/// Query parameters of the list endpoints; a bad one is a `400` that names it.
enum QueryParsing {
    static let maxLimit = 100
    static let defaultLimit = 25

    static func limit(_ text: String?) throws -> Int {
        guard let text, !text.isEmpty else { return defaultLimit }
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
