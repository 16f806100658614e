import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the first start puts the admin API key when its output is not a
/// terminal (a service manager, `docker logs`, a log shipper): a file only
/// the owner can read, in the data directory, instead of the log stream.
public enum FirstAPIKeyFile {
    public static let name = "first-api-key"

    /// The data directory: the SQLite file's, or on PostgreSQL the master
    /// key's (the one local directory such a node is sure to have).
    public static func path(for configuration: ServerConfiguration) -> String {
        let anchor = configuration.databaseURL == nil ? configuration.databasePath : configuration.resolvedMasterKeyFile
        var directory = (anchor as NSString).deletingLastPathComponent
        // Absolute, so that whoever reads the log finds it wherever they are.
        if !directory.hasPrefix("/") {
            let current = FileManager.default.currentDirectoryPath
            directory = directory.isEmpty || directory == "." ? current : current + "/" + directory
        }
        return ((directory + "/" + name) as NSString).standardizingPath
    }

    /// Writes `key` to a new file of mode 0600 (replacing one left by an
    /// earlier first start), created with that mode so that it is never
    /// readable by others, even for a moment.
    public static func write(_ key: String, to path: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        let bytes = Array((key + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw Failure(path: path, code: errno) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot write \(path): \(String(cString: strerror(code)))" }
    }
}
