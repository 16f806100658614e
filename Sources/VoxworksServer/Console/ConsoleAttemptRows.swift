import VoxworksCore

/// A step's HTTP attempts as the execution page's timeline shows them.
/// Every row sets every key its template reads (false when empty): a key
/// missing from a row would be looked up in the page's own values (the
/// execution's `error`, say) and shown in the row's place.
enum ConsoleAttemptRows {
    static func rows(_ log: StepAttemptLog, budget: inout ConsoleRenderBudget) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for (index, attempt) in log.attempts.enumerated() {
            if index == StepAttemptLog.keepFirst, log.omitted > 0 {
                rows.append(gap(log.omitted))
            }
            let headers: [[String: Any]] = attempt.headers.map { ["name": $0.name, "value": budget.text($0.value, maxBytes: 256)] }
            let body: Any =
                attempt.body.map { text -> Any in
                    let shown = budget.text(text, maxBytes: StepAttempt.maxBodyBytes + 64)
                    return attempt.bodyEncoding == .base64 ? "base64: " + shown : shown
                } ?? false
            rows.append([
                "gap": false,
                "number": attempt.number,
                "startedAt": attempt.startedAt.rfc3339,
                "attemptDuration": ConsoleFormat.duration(attempt.durationMillis),
                "outcome": outcomeText(attempt),
                "attemptCSS": attempt.outcome == .answered && (attempt.statusCode ?? 0) < 300 ? "completed" : "failed",
                "attemptError": attempt.error.map { budget.text($0) } ?? false,
                "headers": headers,
                "hasHeaders": !headers.isEmpty,
                "body": body,
                "bodyTruncated": attempt.bodyTruncated,
            ])
        }
        return rows
    }

    static func outcomeText(_ attempt: StepAttempt) -> String {
        switch attempt.outcome {
        case .answered: "answered \(attempt.statusCode.map(String.init) ?? "?")"
        case .refused: "connection refused"
        case .unresolvable: "name does not resolve"
        case .tlsFailed: "TLS failed"
        case .connectTimedOut: "connect timed out"
        case .timedOut: "timed out"
        case .connectionReset: "connection reset"
        case .connectionFailed: "connection failed"
        case .policyRefused: "refused by the outbound policy"
        case .invalidURL: "invalid URL"
        case .responseTooLarge: "response too large"
        }
    }

    private static func gap(_ omitted: Int) -> [String: Any] {
        [
            "gap": "\(omitted) attempt\(omitted == 1 ? "" : "s") not kept", "number": false, "startedAt": false,
            "attemptDuration": false, "outcome": false, "attemptCSS": false, "attemptError": false, "headers": [[String: Any]](),
            "hasHeaders": false, "body": false, "bodyTruncated": false,
        ]
    }
}
