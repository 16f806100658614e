import Foundation

/// Unbuffered standard output: the start-up banner must appear at once even
/// when stdout is a file or a pipe (print() would hold it in a buffer).
enum Console {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
