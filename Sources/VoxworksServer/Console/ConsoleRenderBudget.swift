import VoxworksCore

/// What one page renders of sender-controlled values, in all. Each value is
/// cut at its own cap, but an execution has up to 20 steps, each with an
/// input, an output and an error: their caps alone would add up to
/// megabytes. Values take from the budget in the order they are asked for,
/// so the most telling ones (errors, then the payload) are asked first;
/// once it is spent, a value shows only "… N more bytes" and its link.
struct ConsoleRenderBudget {
    /// An execution page's (and its live refresh's) budget. HTML escaping
    /// turns one byte into at most six (`"` into `&quot;`), so this keeps
    /// the page under 1 MB even for a payload built to be escaped.
    static let executionPage = 160 * 1024

    private(set) var remaining: Int

    init(bytes: Int) { remaining = bytes }

    /// Takes up to `bytes` from the budget; returns how many were taken.
    mutating func take(_ bytes: Int) -> Int {
        let taken = min(bytes, remaining)
        remaining -= taken
        return taken
    }

    mutating func pretty(_ value: JSONValue, maxBytes: Int = ConsoleFormat.maxValueBytes) -> ConsoleRendered {
        spend(ConsoleFormat.pretty(value, maxBytes: min(maxBytes, remaining)))
    }

    /// A plain text (an error message), cut like any other sender value.
    mutating func text(_ text: String, maxBytes: Int = ConsoleFormat.maxErrorBytes) -> String {
        spend(ConsoleRendered(text: Truncation.text(text, maxBytes: min(maxBytes, remaining)), isCut: false)).text
    }

    private mutating func spend(_ rendered: ConsoleRendered) -> ConsoleRendered {
        remaining = max(0, remaining - rendered.text.utf8.count)
        return rendered
    }
}
