import VoxworksCore

/// A first argument that is not an option must name a command.
enum CommandNames {
    /// The refusal for `word`, or nil when it is a command or an option.
    static func unknown(_ word: String, among commands: [String]) -> String? {
        guard !word.hasPrefix("-"), !commands.contains(word) else { return nil }
        let hint = NearestName.find(word, among: commands).map { " (did you mean \"\($0)\"?)" } ?? ""
        return "unknown command \"\(word)\"\(hint)"
    }
}
