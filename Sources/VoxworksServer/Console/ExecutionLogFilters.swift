import Foundation
import VoxworksCore

/// The execution log's date range and idempotency-key filters, parsed from
/// the query string, turned into `ExecutionQuery` fields (filtered by the
/// store, not on the page), kept in the pager's links and shown back in the form.
struct ExecutionLogFilters {
    /// `from` and `to` as typed: a UTC day (`2026-12-07`, what a date input
    /// sends) or an RFC 3339 time. A day as `to` includes that whole day.
    var from: String?
    var to: String?
    var receivedFrom: Timestamp?
    var receivedBefore: Timestamp?
    var idempotencyKey: String?

    /// Longer than any `Idempotency-Key` the webhook endpoint accepts.
    static let maxKeyBytes = 255

    init(from: String?, to: String?, idempotencyKey: String?) throws {
        self.from = from
        self.to = to
        receivedFrom = try from.map { try Self.time($0, name: "from", endOfDay: false) }
        receivedBefore = try to.map { try Self.time($0, name: "to", endOfDay: true) }
        if let receivedFrom, let receivedBefore, receivedBefore <= receivedFrom {
            throw ConsoleError(.badRequest, "The date range ends before it starts.")
        }
        if let idempotencyKey, idempotencyKey.utf8.count > Self.maxKeyBytes {
            throw ConsoleError(.badRequest, "An idempotency key is at most \(Self.maxKeyBytes) bytes.")
        }
        self.idempotencyKey = idempotencyKey
    }

    static func time(_ text: String, name: String, endOfDay: Bool) throws -> Timestamp {
        let isDay = text.utf8.count == 10
        guard let time = Timestamp(rfc3339: isDay ? text + "T00:00:00Z" : text) else {
            throw ConsoleError(.badRequest, "“\(name)” must be a day such as 2026-12-07, or a time such as 2026-12-07T06:00:00Z.")
        }
        return isDay && endOfDay ? time.adding(seconds: 86_400) : time
    }

    func apply(to query: inout ExecutionQuery) {
        query.createdAfter = receivedFrom
        query.createdBefore = receivedBefore
        query.idempotencyKey = idempotencyKey
    }

    /// For the pager's links: the filters as typed, percent-encoded.
    var queryItems: [String] {
        [("from", from), ("to", to), ("idempotency_key", idempotencyKey)].compactMap { name, value in
            value.map { "\(name)=\(Self.encode($0))" }
        }
    }

    /// For the filter form: the values as typed (escaped by the template).
    var formValues: [String: Any] {
        ["filterFrom": from ?? "", "filterTo": to ?? "", "filterIdempotencyKey": idempotencyKey ?? ""]
    }

    static func encode(_ text: String) -> String {
        // ASCII only: `alphanumerics` would let other scripts' letters through raw.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
