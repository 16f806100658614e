import VoxworksCore

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The key that seals signing secrets at rest: 32 random bytes, base64, in a
/// file created with mode 0600 on first start.
public enum MasterKeyFile {
    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read or create the master key file at \(path)"
            case .malformed(let path): "the master key file at \(path) must hold 32 bytes as base64"
            }
        }
    }

    public static func loadOrCreate(path: String) throws -> [UInt8] {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else { throw Failure.unreadable(path) }
            guard let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32 else {
                throw Failure.malformed(path)
            }
            return Array(key)
        }
        let key = SecretMaterial.randomBytes(32)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            // Owner-only, like the store's: by default the key's directory is
            // the data directory, and `serve` creates the key before the store.
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // The key is written to a file of this process's own and then linked
        // into place: the file appears whole or not at all, so a node starting
        // at the same moment never reads it half-written, and `link` fails
        // with EEXIST when another node's key got there first (its key wins).
        let temporary = path + ".tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure.unreadable(path) }
        defer { unlink(temporary) }
        let text = Array((Data(key).base64EncodedString() + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == text.count, synced else { throw Failure.unreadable(path) }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return try loadOrCreate(path: path) }
            throw Failure.unreadable(path)
        }
        // The new name must survive a crash too: without the key the sealed
        // secrets could never be opened again.
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
        return key
    }
}
