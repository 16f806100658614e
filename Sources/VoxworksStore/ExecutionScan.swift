import VoxworksCore

import Foundation

/// The listing of executions by filters no index answers (an idempotency
/// key, a payload field), the same on both stores: the newest executions
/// that match the indexed filters are read in chunks, newest first, and
/// tested here, until a page is full or `ExecutionQuery.scanBound` rows
/// were looked at. Bodies are loaded only for a payload filter, a chunk at
/// a time, and dropped from the page (a listing shows no payloads).
enum ExecutionScan {
    static let chunkSize = 200

    /// `fetch(before, count)`: up to `count` executions matching the indexed
    /// filters, strictly older than `before` (the query's cursor at first),
    /// newest first.
    static func run(_ query: ExecutionQuery, fetch: (UUID?, Int) async throws -> [Execution]) async throws -> [Execution] {
        var page: [Execution] = []
        var scanned = 0
        var before = query.before
        while page.count < query.limit, scanned < ExecutionQuery.scanBound {
            let asked = min(chunkSize, ExecutionQuery.scanBound - scanned)
            let chunk = try await fetch(before, asked)
            scanned += chunk.count
            for var execution in chunk where query.scanMatches(execution) {
                execution.body = []
                page.append(execution)
                if page.count == query.limit { break }
            }
            // A short chunk was the last of the matching rows.
            guard chunk.count == asked, let last = chunk.last else { break }
            before = last.id
        }
        return page
    }
}
