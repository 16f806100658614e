import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The SQLite store holds every payload, contact and sealed secret: its
/// file, WAL and backups are readable by their owner only, whatever the
/// process's umask. SQLite creates the `-wal` and `-shm` files with the
/// mode of the database file, so creating the database `0600` covers them.
enum PrivateFiles {
    static let mode: mode_t = 0o600

    /// Creates the directories of `path` (`0700`, for the ones made here).
    static func createDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Makes the database file exist with mode `0600` before SQLite opens
    /// it, and takes group and other bits off a database, WAL and shared
    /// memory file made before this rule (a `0644` file from an earlier version).
    static func prepareDatabase(at path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT, mode)
        guard fd >= 0 else { throw PrivateFileError.cannotCreate(path, errno: errno) }
        close(fd)
        for file in [path, path + "-wal", path + "-shm"] {
            var status = stat()
            guard stat(file, &status) == 0, status.st_mode & 0o077 != 0 else { continue }
            chmod(file, status.st_mode & 0o700)
        }
    }

    /// Creates a new, empty file with mode `0600`; fails if it exists.
    static func createNew(at path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            if errno == EEXIST { throw BackupError.destinationExists(path) }
            throw PrivateFileError.cannotCreate(path, errno: errno)
        }
        close(fd)
    }
}

public enum PrivateFileError: Error, CustomStringConvertible {
    case cannotCreate(String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let code): "cannot create \(path): \(String(cString: strerror(code)))"
        }
    }
}
