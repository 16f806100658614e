import Foundation

/// Headless Chromium, run once per page: loads a URL on 127.0.0.1, lets
/// the page's timers (a `<meta http-equiv=refresh>` among them) run for a
/// virtual time budget, and returns the DOM it ends up with, serialized.
/// Every run is bounded: `timeout` kills the browser after `seconds`.
enum HeadlessChromium {
    /// The browser, when installed (Debian's `chromium`, or a `chromium-browser`).
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser"] {
            for directory in directories + ["/usr/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }()

    static let timeoutPath = "/usr/bin/timeout"

    struct Run {
        /// The serialized DOM of the page the browser was on at the end.
        var dom: String
        var exitStatus: Int32
        var seconds: Double
        /// `timeout` ended the browser.
        var timedOut: Bool { exitStatus == 124 || exitStatus == 137 }
    }

    /// Loads `url` and dumps its DOM after `virtualTimeMillis` of page time.
    static func dumpDOM(_ url: String, virtualTimeMillis: Int = 3_000, timeoutSeconds: Int = 60) async throws -> Run {
        guard let chromium = path else { throw CocoaError(.fileNoSuchFile) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("dom.html")
        // A file, not a pipe: a browser helper that outlives the browser
        // could hold a pipe open, and a read to its end would never return.
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: timeoutPath)
        process.arguments = [
            "-k", "5", "\(timeoutSeconds)", chromium,
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--user-data-dir=\(work.appendingPathComponent("profile").path)",
            "--virtual-time-budget=\(virtualTimeMillis)", "--dump-dom", url,
        ]
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            // Waiting blocks a thread: not one of the cooperative pool's.
            DispatchQueue.global().async {
                do {
                    try VoxworksBinary.launch(process)
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        try handle.close()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let dom = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
        return Run(dom: dom, exitStatus: status, seconds: seconds)
    }
}
