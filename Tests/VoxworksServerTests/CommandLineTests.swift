import Foundation
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore
import VoxworksTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The real `voxworks` binary refuses mistakes instead of passing them
/// silently: a store that is not there, a port out of range, a mistyped
/// command. And with JSON logs its standard output is JSON only, without
/// the first API key or a webhook token.
@Suite struct CommandLineTests {
    @Test func everyVerbButServeRefusesAStoreThatDoesNotExist() async throws {
        let work = try VoxworksBinary.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let typo = work.appendingPathComponent("typo.sqlite").path
        let verbs: [[String]] = [
            ["status"], ["status", "--json"], ["backup", work.appendingPathComponent("copy.sqlite").path], ["keys", "create"],
            ["migrate"], ["webhooks"],
        ]
        var refused = 0
        for verb in verbs {
            let run = try await VoxworksBinary.run(verb + ["--database", typo], in: work)
            #expect(run.status != 0, "\(verb): \(run.stdout)")
            #expect(run.stderr.contains("no store at \(typo)"), "\(verb): \(run.stderr)")
            #expect(run.stderr.contains("only `voxworks serve` creates a store"), "\(verb): \(run.stderr)")
            if run.status != 0 { refused += 1 }
        }
        #expect(refused == verbs.count)
        // Nothing was created: not the store, not a master key, not the default data directory.
        let left = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { !$0.hasPrefix("std") }
        #expect(left.isEmpty, "\(left)")
        // Run from the wrong directory (no ./voxworks-data): the same refusal.
        let plain = try await VoxworksBinary.run(["status"], in: work)
        #expect(plain.status != 0 && plain.stderr.contains("no store at ./voxworks-data/voxworks.sqlite"), "\(plain.stderr)")
        // `migrate --create` is the deliberate way to make one without serving.
        let created = try await VoxworksBinary.run(["migrate", "--create", "--database", typo], in: work)
        #expect(created.status == 0, "\(created.stderr)")
        let status = try await VoxworksBinary.run(["status", "--json", "--database", typo], in: work)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"pending\":0"))
    }

    @Test func verbsRefuseAPostgreSQLDatabaseWithoutTheSchema() async throws {
        guard StoreKind.available.contains(.postgres) else { return }
        let work = try VoxworksBinary.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let url = try await PostgresTestDatabase.newSchemaURL()
        let environment = ["VOXWORKS_DATABASE_URL": url, "VOXWORKS_MASTER_KEY_FILE": work.appendingPathComponent("master.key").path]
        for verb in [["status"], ["keys", "create"], ["migrate"]] {
            let run = try await VoxworksBinary.run(verb, in: work, environment: environment)
            #expect(run.status != 0, "\(verb): \(run.stdout)")
            #expect(run.stderr.contains("has no Voxworks tables"), "\(verb): \(run.stderr)")
        }
        let created = try await VoxworksBinary.run(["migrate", "--create"], in: work, environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let status = try await VoxworksBinary.run(["status", "--json"], in: work, environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
    }

    @Test func portsAndNumericVariablesAreCheckedForRange() async throws {
        let work = try VoxworksBinary.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        for port in ["99999", "0", "65536"] {
            let flag = try await VoxworksBinary.run(["serve", "--port", port], in: work, timeoutSeconds: 30)
            #expect(flag.status != 0)
            #expect(flag.stderr.contains("--port \(port) is not valid: expected an integer from 1 to 65535"), "\(flag.stderr)")
            #expect(!flag.stdout.contains("Listening"), "\(flag.stdout)")
        }
        let variable = try await VoxworksBinary.run(["serve"], in: work, environment: ["VOXWORKS_PORT": "99999"], timeoutSeconds: 30)
        #expect(variable.status != 0)
        #expect(variable.stderr.contains("VOXWORKS_PORT=99999 is not valid: expected an integer from 1 to 65535"), "\(variable.stderr)")
        let workers = try await VoxworksBinary.run(["status"], in: work, environment: ["VOXWORKS_WORKERS": "0"])
        #expect(workers.stderr.contains("VOXWORKS_WORKERS=0 is not valid: expected an integer from 1 to 10000"), "\(workers.stderr)")
        // `serve` refused before it made anything.
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("voxworks-data").path))
    }

    @Test func versionHelpEnvAndAMistypedCommand() async throws {
        let work = try VoxworksBinary.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let version = try await VoxworksBinary.run(["--version"], in: work)
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == VoxworksVersion.current)

        let help = try await VoxworksBinary.run(["help", "env"], in: work)
        #expect(help.status == 0)
        let missing = ConfigurationVariable.all.filter { !help.stdout.contains("\($0.name) ") }
        #expect(missing.isEmpty, "\(missing.map(\.name))")
        #expect(help.stdout.contains("VOXWORKS_PORT") && help.stdout.contains("default 8080 [1-65535]"), "\(help.stdout)")
        #expect(ConfigurationVariable.all.count >= 40)

        let typo = try await VoxworksBinary.run(["stauts"], in: work)
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("unknown command \"stauts\" (did you mean \"status\"?)"), "\(typo.stderr)")
        #expect(!typo.stderr.contains("--port"), "serve's usage was printed: \(typo.stderr)")
        let far = try await VoxworksBinary.run(["deploy"], in: work)
        #expect(far.status != 0 && far.stderr.contains("unknown command \"deploy\""), "\(far.stderr)")
        // Options alone still start `serve` (here refused for its port: nothing is left running).
        let options = try await VoxworksBinary.run(["--port", "70000"], in: work)
        #expect(options.stderr.contains("--port 70000 is not valid"), "\(options.stderr)")
    }

    /// With `VOXWORKS_LOG_FORMAT=json`, every line the server writes on
    /// standard output is one JSON object, from the first start to the
    /// graceful stop; the first API key is in a 0600 file, never on stdout,
    /// and neither is a webhook token; a turn's outcome is plain fields.
    @Test func jsonLogsAreJSONOnlyAndHoldNoSecret() async throws {
        let work = try VoxworksBinary.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let port = try VoxworksBinary.freePort()
        let out = work.appendingPathComponent("server.out")
        let err = work.appendingPathComponent("server.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try VoxworksBinary.path)
        process.arguments = ["serve", "--port", "\(port)"]
        process.currentDirectoryURL = work
        process.environment = VoxworksBinary.environment(["VOXWORKS_LOG_FORMAT": "json", "VOXWORKS_WORKERS": "2"])
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try VoxworksBinary.launch(process)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func get(_ path: String, key: String? = nil, body: String? = nil) async -> String {
            guard let connection = try? RawHTTPConnection(port: port) else { return "" }
            let auth = key.map { "Authorization: Bearer \($0)\r\n" } ?? ""
            let method = body == nil ? "GET" : "POST"
            let payload = body ?? ""
            let headers =
                "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)Content-Type: application/json\r\n"
                + "Content-Length: \(payload.utf8.count)\r\nConnection: close\r\n\r\n"
            guard (try? connection.send(headers + payload)) != nil else { return "" }
            return await connection.receive(until: isCompleteResponse)
        }
        // Up: 60 s at most on a loaded machine.
        var healthy = false
        for _ in 0..<600 where !healthy {
            healthy = await get("/api/v1/health").contains(" 200 ")
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(healthy, "the server did not start: \(String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))")

        let keyFile = work.appendingPathComponent("voxworks-data/first-api-key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let key = String(decoding: try Data(contentsOf: URL(fileURLWithPath: keyFile)), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("vx_"))

        // Run the demo once, so that a turn's outcome is logged.
        let listed = await get("/api/v1/automations", key: key)
        let token = try #require(
            listed.range(of: #"/api/v1/hooks/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(listed[$0].dropFirst(14)) })
        let accepted = await get("/api/v1/hooks/\(token)", body: FirstRun.demoPayload)
        #expect(accepted.contains(" 202 "), "\(accepted)")
        var ended = false
        for _ in 0..<300 where !ended {
            ended = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self).contains("execution turn ended")
            if !ended { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ended)

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)

        var lines = String(decoding: try Data(contentsOf: out), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the text after the last newline
        var objects: [JSONObject] = []
        var notJSON: [String] = []
        for line in lines {
            if case .object(let object)? = try? JSONParser().parse(String(line)) {
                objects.append(object)
            } else {
                notJSON.append(String(line))
            }
        }
        #expect(notJSON.isEmpty, "\(notJSON.prefix(5))")
        #expect(objects.count >= 6, "only \(objects.count) lines")
        let text = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        #expect(!text.contains(key), "the API key is on stdout")
        #expect(!text.contains("vx_"))
        #expect(!text.contains(token), "a webhook token is on stdout")
        #expect(objects.contains { $0["api_key_file"]?.stringValue == keyFile })
        #expect(objects.contains { $0["message"]?.stringValue == "automation" && $0["automation_id"] != nil })
        let outcome = objects.first { $0["message"]?.stringValue == "execution turn ended" }
        #expect(outcome?["outcome"]?.stringValue == "completed", "\(String(describing: outcome))")
    }
}
