import Foundation
import Testing
import VoxworksCore
import VoxworksStore

/// `voxworks keys list|create|revoke` and `voxworks teams list|create`, run
/// as the built binary against a SQLite store the test made first.
@Suite struct KeysTeamsCLITests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// The `voxworks` binary `swift build` put beside this test bundle.
    static var binary: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("voxworks"),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent(".build/debug/voxworks"),
            ]
            return try #require(
                candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "build the voxworks binary first")
        }
    }

    /// Runs the binary with a bounded wait (30 s); stdout and stderr apart.
    static func run(_ arguments: [String], directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = try binary
        process.arguments =
            arguments + [
                "--database", directory.appendingPathComponent("voxworks.sqlite").path, "--master-key-file",
                directory.appendingPathComponent("master.key").path,
            ]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try VoxworksBinary.launch(process)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            error: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// A store with one team, as the first `serve` leaves it.
    static func makeStore() async throws -> (directory: URL, team: Team) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = try MasterKeyFile.loadOrCreate(path: directory.appendingPathComponent("master.key").path)
        let store = try SQLiteStore(path: directory.appendingPathComponent("voxworks.sqlite").path, secretBox: SecretBox(masterKey: key))
        let team = try await store.createTeam(name: "Default team", now: .now())
        try store.close()
        return (directory, team)
    }

    static func open(_ directory: URL) throws -> SQLiteStore {
        let key = try MasterKeyFile.loadOrCreate(path: directory.appendingPathComponent("master.key").path)
        return try SQLiteStore(path: directory.appendingPathComponent("voxworks.sqlite").path, secretBox: SecretBox(masterKey: key))
    }

    static func printedKey(_ text: String) -> String? {
        text.range(of: #"vx_[A-Za-z0-9_-]{40,}"#, options: .regularExpression).map { String(text[$0]) }
    }

    @Test func teamsCreatePrintsItsFirstKeyOnceAndTeamsListShowsIt() async throws {
        let (directory, first) = try await Self.makeStore()
        let created = try Self.run(["teams", "create", "--name", "Ops"], directory: directory)
        #expect(created.status == 0, "\(created.error)")
        let key = try #require(Self.printedKey(created.output))
        let store = try Self.open(directory)
        let teams = try await store.teams()
        #expect(teams.count == 2)
        let ops = try #require(teams.first { $0.name == "Ops" })
        #expect(created.output.contains(ops.id.lowercased))
        // The key printed belongs to the new team, not the first one.
        #expect(try await store.teamID(forAPIKeyHash: SecretMaterial.hash(key)) == ops.id)
        try store.close()

        let listed = try Self.run(["teams", "list"], directory: directory)
        #expect(listed.status == 0, "\(listed.error)")
        #expect(listed.output.contains(ops.id.lowercased) && listed.output.contains(first.id.lowercased))
        #expect(listed.output.contains("Ops"))
        #expect(Self.printedKey(listed.output) == nil)

        let refused = try Self.run(["teams", "create", "--name", ""], directory: directory)
        #expect(refused.status != 0)
        #expect(refused.error.contains("--name"))
    }

    @Test func keysAreCreatedListedWithoutTheKeyAndRevoked() async throws {
        let (directory, team) = try await Self.makeStore()
        let created = try Self.run(["keys", "create", "--name", "ci"], directory: directory)
        #expect(created.status == 0, "\(created.error)")
        let key = try #require(Self.printedKey(created.output))
        let store = try Self.open(directory)
        let record = try #require(try await store.apiKeys(teamID: team.id).first)
        #expect(record.name == "ci")
        #expect(try await store.teamID(forAPIKeyHash: SecretMaterial.hash(key)) == team.id)
        try store.close()

        let listed = try Self.run(["keys", "list"], directory: directory)
        #expect(listed.status == 0, "\(listed.error)")
        #expect(
            listed.output.contains(record.id.lowercased) && listed.output.contains(String(key.prefix(7))) && listed.output.contains("ci"))
        #expect(!listed.output.contains(key))
        #expect(listed.output.contains("live"))

        let revoked = try Self.run(["keys", "revoke", record.id.lowercased], directory: directory)
        #expect(revoked.status == 0, "\(revoked.error)")
        #expect(revoked.output.contains("Revoked"))
        let reopened = try Self.open(directory)
        #expect(try await reopened.teamID(forAPIKeyHash: SecretMaterial.hash(key)) == nil)
        try reopened.close()
        let after = try Self.run(["keys", "list"], directory: directory)
        #expect(after.output.contains("revoked"))

        let unknown = try Self.run(["keys", "revoke", UUID().uuidString], directory: directory)
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("No API key"))
        let malformed = try Self.run(["keys", "revoke", "nope"], directory: directory)
        #expect(malformed.status != 0)
        #expect(malformed.error.contains("not a key id"))
    }
}
