import Foundation
import Testing
import VoxworksStore

/// The master key file: created once with mode 0600, read back the same,
/// and never seen half-written by a process starting at the same moment
/// (three nodes sharing one data directory start together).
@Suite struct MasterKeyFileTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-key-\(UUID().uuidString)").path
    }

    @Test func aKeyIsCreatedOnceWithMode0600AndReadBack() throws {
        let path = Self.directory() + "/master.key"
        let created = try MasterKeyFile.loadOrCreate(path: path)
        #expect(created.count == 32)
        #expect(try MasterKeyFile.loadOrCreate(path: path) == created)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // No temporary file is left beside it.
        let names = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(names == ["master.key"])
    }

    @Test func startsAtTheSameMomentAllGetTheSameWholeKey() throws {
        for _ in 0..<20 {
            let path = Self.directory() + "/master.key"
            let results = LockedResults()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                results.append(Result { try MasterKeyFile.loadOrCreate(path: path) })
            }
            let keys = try results.all.map { try $0.get() }
            #expect(keys.count == 8)
            #expect(Set(keys).count == 1, "different keys or a half-written file were read")
        }
    }

    @Test func aMalformedFileIsRefusedNotReplaced() throws {
        let path = Self.directory() + "/master.key"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "not a key".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: MasterKeyFile.Failure.self) { try MasterKeyFile.loadOrCreate(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a key")
    }
}

private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<[UInt8], any Error>] = []

    func append(_ result: Result<[UInt8], any Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }

    var all: [Result<[UInt8], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
