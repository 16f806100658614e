import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VoxworksCore
import VoxworksServer
import VoxworksStore

/// Connection deadlines and caps on the real server over a socket
/// (`ConnectionHygieneHandler`, `ConnectionLimits`).
@Suite struct ConnectionHygieneTests {
    /// Routes that answer without reading the body.
    enum SlowClient: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case chunkedPostToAnUnknownHook
        case signInPageWithAChunkedBody
        case managementPostWithoutAKeyPromising100000Bytes

        var testDescription: String { rawValue }

        var head: String {
            switch self {
            case .chunkedPostToAnUnknownHook:
                "POST /api/v1/hooks/wh_unknown HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"
            case .signInPageWithAChunkedBody:
                "GET /app/sign-in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n"
            case .managementPostWithoutAKeyPromising100000Bytes:
                "POST /api/v1/automations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            }
        }

        /// One more byte of the body that never ends.
        var trickle: String {
            switch self {
            case .chunkedPostToAnUnknownHook, .signInPageWithAChunkedBody: "1\r\nx\r\n"
            case .managementPostWithoutAKeyPromising100000Bytes: "x"
            }
        }

        var status: String {
            switch self {
            case .chunkedPostToAnUnknownHook: "HTTP/1.1 404"
            case .signInPageWithAChunkedBody: "HTTP/1.1 200"
            case .managementPostWithoutAKeyPromising100000Bytes: "HTTP/1.1 401"
            }
        }
    }

    /// The client keeps its body trickling (a byte every 250 ms, which keeps
    /// the idle timer from firing) and never closes: the probe's finding, a
    /// short idle timeout (3 s here, 4 s in the probe) beside a long body
    /// deadline (30 s here, 10 s by default). After the answer the rest of
    /// the body may take the shorter of the two, then the output is shut
    /// (the client sees the end of the stream) and what the client still
    /// sends is discarded for the 2 s linger; then the connection is gone
    /// (the next byte is answered with a reset). Seen: the end 3.0–3.2 s
    /// after the request, gone 5.3–5.5 s after (bounds 15 s and 20 s, for a
    /// loaded machine). Before the fix the end came at the body deadline
    /// (30.1 s) and the connection was gone only when the idle timer fired
    /// 3 s later (33.2–33.3 s); with an idle timeout longer than the body
    /// deadline, the linger was a whole body deadline more.
    @Test(arguments: SlowClient.allCases)
    func aSlowBodyOnARouteThatNeverReadsItIsCutOff(_ client: SlowClient) async throws {
        let harness = try await TestHarness.make {
            $0.bodyTimeoutSeconds = 30
            $0.idleTimeoutSeconds = 3
        }
        try await harness.application().test(.live) { testClient in
            let port = try #require(testClient.port)
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 50)
            let started = ContinuousClock.now
            try connection.send(client.head)
            async let gone = Self.sendUntilRefused(connection, client.trickle, since: started)
            let (answer, closed) = await connection.receiveToEnd()
            let ended = ContinuousClock.now - started
            let refused = await gone
            #expect(answer.hasPrefix(client.status), "got: \(answer.prefix(200)) after \(ended), closed: \(closed)")
            #expect(closed, "the server ended the stream")
            #expect(ended < .seconds(15), "ended after \(ended)")
            let goneAfter = try #require(refused, "the server dropped the connection within 60 s")
            #expect(goneAfter < .seconds(20), "gone after \(goneAfter) (ended after \(ended))")
        }
    }

    /// Sends `bytes` every 250 ms on a thread of its own (a busy cooperative
    /// pool cannot pause it) until a send fails: the server has dropped the
    /// connection and answered the previous bytes with a reset. Answers when
    /// that was, since `started`; nil if every send of 240 (60 s) went
    /// through. A few bytes never block a send.
    private static func sendUntilRefused(_ connection: RawHTTPConnection, _ bytes: String, since started: ContinuousClock.Instant) async
        -> Duration?
    {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                for _ in 0..<240 {
                    usleep(250_000)
                    if (try? connection.send(bytes)) == nil {
                        continuation.resume(returning: ContinuousClock.now - started)
                        return
                    }
                }
                continuation.resume(returning: nil)
            }
        }
    }

    /// Several requests on one keep-alive connection, including ones whose
    /// small body the route never read, before and after the response.
    @Test func aKeepAliveClientStillGetsSeveralRequestsOnOneConnection() async throws {
        let harness = try await TestHarness.make {
            $0.bodyTimeoutSeconds = 2
            $0.idleTimeoutSeconds = 5
        }
        let token = try await harness.automation().automation.webhook.token
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            func exchange(_ request: String) async throws -> String {
                try connection.send(request)
                return await connection.receive(until: isCompleteResponse)
            }
            let unknown = try await exchange("GET /no-such-route HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(unknown.hasPrefix("HTTP/1.1 404"), "got: \(unknown.prefix(200))")
            // A 10-byte body sent with its head, never read by the route (401).
            let unread = try await exchange(
                "POST /api/v1/automations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n0123456789")
            #expect(unread.hasPrefix("HTTP/1.1 401"), "got: \(unread.prefix(200))")
            #expect(!unread.lowercased().contains("connection: close"))
            // The same, its body sent only after the answer: it is drained, and the connection goes on.
            let early = try await exchange(
                "POST /api/v1/automations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n")
            #expect(early.hasPrefix("HTTP/1.1 401"), "got: \(early.prefix(200))")
            try connection.send("0123456789")
            for index in 0..<3 {
                let accepted = try await exchange(
                    "POST \(hookPath(token)) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                #expect(accepted.hasPrefix("HTTP/1.1 202"), "request \(index) got: \(accepted.prefix(200))")
            }
        }
        #expect(try await harness.executionCount() == 3)
    }

    /// The client reads the answer and the end of the stream but neither
    /// closes its side nor sends anything more (anything more would be
    /// data after a request that asked to close: a parse error, closed at
    /// once). Whether the server still holds its socket is read from
    /// /proc/net/tcp: the server's side has an inode while a descriptor
    /// holds it (checked first on the open connection, so the look cannot
    /// pass by never finding it). Seen: the end within 20 ms, the socket let
    /// go 2.1 s after the request, at the 2 s linger (bounds 10 s, against a
    /// 60 s idle timeout and a 30 s body deadline). Before the fix the socket
    /// was held for the whole body deadline (30.1 s; 10 s by default).
    @Test func anHTTP10RequestWithoutKeepAliveIsClosedAfterItsResponse() async throws {
        let harness = try await TestHarness.make {
            $0.idleTimeoutSeconds = 60
            $0.bodyTimeoutSeconds = 30
        }
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 20)
            let clientPort = connection.localPort
            // The open connection's server side is seen held (bounded: 50 × 100 ms).
            var seenHeld = false
            for _ in 0..<50 where !seenHeld {
                seenHeld = Self.socket(local: port, remote: clientPort)?.held ?? false
                if !seenHeld { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seenHeld, "the server's side of the open connection was found held in /proc/net/tcp")
            let started = ContinuousClock.now
            try connection.send("GET /no-such-route HTTP/1.0\r\nHost: x\r\n\r\n")
            let (answer, closed) = await connection.receiveToEnd()
            let ended = ContinuousClock.now - started
            #expect(answer.hasPrefix("HTTP/1.0 404"), "got: \(answer.prefix(200))")
            #expect(answer.lowercased().contains("connection: close"))
            #expect(closed)
            #expect(ended < .seconds(10), "ended after \(ended), not at the 60 s idle timeout")
            var held = true
            for _ in 0..<400 where held {
                held = Self.socket(local: port, remote: clientPort)?.held ?? false
                if held { try await Task.sleep(for: .milliseconds(100)) }
            }
            let goneAfter = ContinuousClock.now - started
            #expect(!held, "the server still held the connection after 40 s")
            #expect(goneAfter < .seconds(10), "let go after \(goneAfter) (ended after \(ended))")
            withExtendedLifetime(connection) {}
        }
    }

    /// The IPv4 socket on 127.0.0.1 from `local` to `remote` in
    /// /proc/net/tcp, and whether a process holds it (an inode other than
    /// 0; one closed by its process but still finishing TCP's close has 0).
    private static func socket(local: Int, remote: Int) -> (state: String, held: Bool)? {
        // Read to its end in a loop: the table reports a size of 0 and can
        // be tens of kilobytes on a busy machine.
        let fd = open("/proc/net/tcp", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for _ in 0..<1_000 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        let table = String(decoding: bytes, as: UTF8.self)
        let localField = String(format: "0100007F:%04X", local)
        let remoteField = String(format: "0100007F:%04X", remote)
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 9, fields[1] == localField, fields[2] == remoteField {
                return (String(fields[3]), fields[9] != "0")
            }
        }
        return nil
    }

    @Test func anHTTP10RequestWithKeepAliveKeepsItsConnection() async throws {
        let harness = try await TestHarness.make { $0.idleTimeoutSeconds = 60 }
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            for index in 0..<3 {
                try connection.send("GET /no-such-route HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
                let answer = await connection.receive(until: isCompleteResponse)
                #expect(answer.hasPrefix("HTTP/1.0 404"), "request \(index) got: \(answer.prefix(200))")
                #expect(answer.lowercased().contains("connection: keep-alive"), "request \(index) got: \(answer.prefix(300))")
            }
        }
    }

    /// A response larger than the socket buffers (an execution with a
    /// 6 MiB payload) to a request that asked to close (HTTP/1.0), read by
    /// a client with a small receive buffer that waits 4 s before reading:
    /// all of it arrives, because the 2 s linger starts only once the
    /// response has gone out to the socket. Counted from when the response
    /// was handed over, it would cut this one off at 2 s.
    @Test func aLargeResponseOnAClosingConnectionReachesASlowReader() async throws {
        let harness = try await TestHarness.make {
            $0.maxBodyBytes = 16 << 20
            $0.idleTimeoutSeconds = 60
            $0.bodyTimeoutSeconds = 30
        }
        let token = try await harness.automation().automation.webhook.token
        let payload = #"{"pad":""# + String(repeating: "a", count: 6 << 20) + #""}"#
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            let id = try expectAccepted(
                try await client.execute(uri: hookPath(token), method: .post, headers: jsonHeaders(), body: ByteBuffer(string: payload)))
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 30, receiveBuffer: 4096)
            try connection.send(
                "GET /api/v1/executions/\(id.lowercased) HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer \(harness.apiKey)\r\n\r\n")
            try await Task.sleep(for: .seconds(4))
            let (answer, closed) = await connection.receiveToEnd()
            #expect(answer.hasPrefix("HTTP/1.0 200"), "got: \(answer.prefix(200))")
            #expect(closed)
            let whole = isCompleteResponse(answer) && answer.utf8.count > payload.utf8.count
            #expect(whole, "received \(answer.utf8.count) bytes of a response carrying \(payload.utf8.count)")
        }
    }

    enum Cap: String, CaseIterable, Sendable {
        case perAddress, perNode
    }

    /// The test client's connection and two more fill a cap of 3; a fourth
    /// gets `503` and is closed; once one of the two is closed (by the
    /// client, then by the server) new ones are served again, so the count
    /// goes down as connections close.
    @Test(arguments: Cap.allCases)
    func aConnectionOverTheCapGets503AndClosingOneLetsANewOneIn(_ cap: Cap) async throws {
        let harness = try await TestHarness.make {
            $0.idleTimeoutSeconds = 60
            $0.bodyTimeoutSeconds = 30
            $0.maxConnections = cap == .perNode ? 3 : 0
            $0.maxConnectionsPerAddress = cap == .perAddress ? 3 : 0
        }
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            // The test client keeps one keep-alive connection: now it is open and counted.
            #expect(try await client.execute(uri: "/no-such-route", method: .get).status == .notFound)
            let probe = "GET /no-such-route HTTP/1.1\r\nHost: x\r\n\r\n"
            func served(_ connection: RawHTTPConnection) async throws -> String {
                try connection.send(probe)
                return await connection.receive(until: isCompleteResponse)
            }
            var first: RawHTTPConnection? = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            var second: RawHTTPConnection? = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            #expect(try await served(try #require(first)).hasPrefix("HTTP/1.1 404"))
            #expect(try await served(try #require(second)).hasPrefix("HTTP/1.1 404"))

            let over = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            try over.send(probe)
            let (refused, closed) = await over.receiveToEnd()
            #expect(refused.hasPrefix("HTTP/1.1 503"), "got: \(refused.prefix(300))")
            #expect(refused.hasSuffix(#"{"success":false,"message":"Too many connections"}"#), "got: \(refused)")
            #expect(refused.lowercased().contains("retry-after: 1\r\n"))
            #expect(refused.lowercased().contains("connection: close\r\n"))
            #expect(closed)

            // The client closes one: a new connection is served (once the server has seen the close).
            first = nil
            let third = try await Self.firstServed(port: port, request: probe)
            #expect(third != nil, "a connection was let in after one closed")

            // The server closes one (HTTP/1.0 without keep-alive), and the
            // client, seeing the end, closes too (within the 2 s linger):
            // again a new one is served.
            try #require(second).send("GET /no-such-route HTTP/1.0\r\nHost: x\r\n\r\n")
            let (last, secondClosed) = try await #require(second).receiveToEnd()
            #expect(last.hasPrefix("HTTP/1.0 404") && secondClosed)
            second = nil
            let fourth = try await Self.firstServed(port: port, request: probe)
            #expect(fourth != nil, "a connection was let in after the server closed one")

            // Still capped: third and fourth are open.
            let again = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            try again.send(probe)
            #expect(await again.receiveToEnd().text.hasPrefix("HTTP/1.1 503"))
            withExtendedLifetime((third, fourth)) {}
        }
    }

    /// Opens connections until one is served (bounded: 50 tries over about
    /// 10 s); nil if none was.
    private static func firstServed(port: Int, request: String) async throws -> RawHTTPConnection? {
        for _ in 0..<50 {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            try connection.send(request)
            let answer = await connection.receive(until: isCompleteResponse)
            if answer.hasPrefix("HTTP/1.1 404") { return connection }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    @Test func theCapsAreReadFromTheEnvironment() throws {
        let defaults = try ServerConfiguration.fromEnvironment([:])
        #expect(defaults.maxConnections == 10_000)
        #expect(defaults.maxConnectionsPerAddress == 256)
        let set = try ServerConfiguration.fromEnvironment(["VOXWORKS_MAX_CONNECTIONS": "0", "VOXWORKS_MAX_CONNECTIONS_PER_ADDRESS": "32"])
        #expect(set.maxConnections == 0)
        #expect(set.maxConnectionsPerAddress == 32)
        #expect(throws: ServerConfiguration.Failure.self) { try ServerConfiguration.fromEnvironment(["VOXWORKS_MAX_CONNECTIONS": "-1"]) }
        #expect(throws: ServerConfiguration.Failure.self) {
            try ServerConfiguration.fromEnvironment(["VOXWORKS_MAX_CONNECTIONS_PER_ADDRESS": "many"])
        }
    }

    /// Chunked framings NIO's parser refuses, each after a valid head.
    enum MalformedChunk: String, CaseIterable, Sendable {
        case sizeNotHex, dataLongerThanItsSize, negativeSize, sizeOverflowing64Bits, controlByteInExtension, lineFeedsOnly

        var bytes: String {
            switch self {
            case .sizeNotHex: "zz\r\n"
            case .dataLongerThanItsSize: "1\r\nxx\r\n"
            case .negativeSize: "-1\r\n"
            case .sizeOverflowing64Bits: "ffffffffffffffffffff\r\n"
            case .controlByteInExtension: "1;\u{01}\r\nx\r\n0\r\n\r\n"
            case .lineFeedsOnly: "2\n{}\n0\n\n"
            }
        }
    }

    /// Every malformation, to a webhook with a valid token and to a
    /// management route with a valid key (both read their body): `400` in
    /// the contract's shape, the connection closed, nothing stored, one
    /// `info` line per request and no error-level line (the probe saw `500`
    /// and an error line, which sets off the documented error alert).
    @Test func aMalformedChunkedBodyGets400AtInfoAndNothingIsStored() async throws {
        let capture = LogCapture()
        let harness = try await TestHarness.make { $0.idleTimeoutSeconds = 60 }
        let token = try await harness.automation().automation.webhook.token
        let automationsBefore = try await harness.store.allAutomations().count
        let targets = [
            "POST \(hookPath(token)) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
            "POST /api/v1/automations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer \(harness.apiKey)\r\n",
        ]
        try await harness.application(logger: capture.logger(level: .trace)).test(.live) { client in
            let port = try #require(client.port)
            var answered = 0
            for target in targets {
                for chunk in MalformedChunk.allCases {
                    let connection = try RawHTTPConnection(port: port, timeoutSeconds: 20)
                    let started = ContinuousClock.now
                    try connection.send(target + "Transfer-Encoding: chunked\r\n\r\n" + chunk.bytes)
                    let (answer, closed) = await connection.receiveToEnd()
                    let label = "\(chunk) to \(target.prefix(24))"
                    #expect(answer.hasPrefix("HTTP/1.1 400"), "\(label) got: \(answer.prefix(300))")
                    #expect(
                        answer.hasSuffix(#"{"success":false,"message":"The request body is malformed (invalid chunked encoding)"}"#),
                        "\(label) got: \(answer)")
                    #expect(answer.lowercased().contains("connection: close\r\n"), "\(label)")
                    #expect(closed, "\(label)")
                    #expect(ContinuousClock.now - started < .seconds(10), "\(label): closed, not left to the 60 s idle timeout")
                    answered += 1
                }
            }
            #expect(answered == targets.count * MalformedChunk.allCases.count)
        }
        #expect(try await harness.executionCount() == 0)
        #expect(try await harness.store.allAutomations().count == automationsBefore)
        let lines = capture.lines.value
        let infoLines = lines.filter { $0.contains("malformed request body") && $0.contains(#""level":"info""#) }.count
        #expect(infoLines >= MalformedChunk.allCases.count, "the webhook 400s were logged at info (\(infoLines) lines)")
        #expect(!lines.contains { $0.contains(#""level":"error""#) }, "no error line: \(lines.filter { $0.contains("error") })")
    }
}
