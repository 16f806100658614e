/// The closest of a few known names to a misspelt one, for "did you mean"
/// hints: a typo such as `metod` or `bdy` should point at `method` or `body`
/// rather than only being refused.
public enum NearestName {
    /// The known name at the smallest edit distance, when it is close enough
    /// to be a plausible typo (at most a third of the longer name, and at
    /// most 3 edits); nil otherwise.
    public static func find(_ name: String, among known: some Sequence<String>) -> String? {
        let typed = Array(name.lowercased().unicodeScalars)
        var best: (name: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(typed, Array(candidate.lowercased().unicodeScalars))
            let allowed = min(3, max(1, max(typed.count, candidate.unicodeScalars.count) / 3))
            guard distance <= allowed else { continue }
            if let current = best, current.distance <= distance { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// Levenshtein distance, with a transposition counted as one edit
    /// (`mehtod` is one slip, not two). Names here are short, so the
    /// quadratic table is cheap.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }
}
