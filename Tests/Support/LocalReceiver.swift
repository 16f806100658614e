import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import VoxworksCore

/// A real HTTP server on 127.0.0.1 that records what automations send it
/// and answers with statuses a test plans per path (default 200).
public final class LocalReceiver: Sendable {
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var idempotencyKey: String?
        public var headers: [String: String]
        public var body: String
    }

    /// An answer planned in full: status, headers and body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)] = [("Content-Type", "application/json")]
        public var body: [UInt8]

        public init(status: Int, headers: [(String, String)] = [("Content-Type", "application/json")], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public let received = LockedBox<[Received]>([])
    private let plans = LockedBox<[String: [Int]]>([:])
    private let answers = LockedBox<[String: [Answer]]>([:])
    private let delays = LockedBox<[String: Duration]>([:])
    private let group: ServiceGroup
    public let port: Int

    private init(port: Int, group: ServiceGroup) {
        self.port = port
        self.group = group
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The next answers for `path`, in order; after them, 200.
    public func plan(_ path: String, statuses: [Int]) { plans.withLock { $0[path, default: []] += statuses } }

    /// The next answers for `path`, in full; they come before any planned statuses.
    public func plan(_ path: String, answers planned: [Answer]) { answers.withLock { $0[path, default: []] += planned } }

    /// Every answer for `path` waits this long (a slow receiver).
    public func delay(_ path: String, by duration: Duration) { delays.withLock { $0[path] = duration } }

    public func requests(to path: String) -> [Received] { received.value.filter { $0.path == path } }

    /// A graceful stop: the listening socket closes first, then open
    /// connections finish. (Cancelling the server's task instead could
    /// drop a connection accepted at that moment half set up, which NIO
    /// treats as a fatal error and which crashed the whole test process.)
    public func stop() {
        let group = group
        Task { await group.triggerGracefulShutdown() }
    }

    public static func start() async throws -> LocalReceiver {
        let box = LockedBox<LocalReceiver?>(nil)
        let router = Router()
        router.on("/{path}", method: .post, use: { request, context in try await Self.record(box, request, context) })
        router.on("/{path}", method: .get, use: { request, context in try await Self.record(box, request, context) })
        let promise = PortPromise()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in promise.fulfil(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "receiver"))
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "receiver"))
        Task { try await group.run() }
        let receiver = LocalReceiver(port: await promise.value, group: group)
        box.withLock { $0 = receiver }
        return receiver
    }

    private static func record(_ box: LockedBox<LocalReceiver?>, _ request: Request, _ context: BasicRequestContext) async throws
        -> Response
    {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        guard let receiver = box.value else { return Response(status: .serviceUnavailable) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let path = request.uri.path
        receiver.received.withLock {
            $0.append(
                Received(
                    method: request.method.rawValue, path: path, idempotencyKey: headers["idempotency-key"],
                    headers: headers, body: String(buffer: body)))
        }
        let answer = receiver.answers.withLock { answers -> Answer? in
            guard var queue = answers[path], !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            answers[path] = queue
            return next
        }
        if let answer {
            if let delay = receiver.delays.value[path] { try await Task.sleep(for: delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let status = receiver.plans.withLock { plans -> Int in
            guard var queue = plans[path], !queue.isEmpty else { return 200 }
            let next = queue.removeFirst()
            plans[path] = queue
            return next
        }
        let count = receiver.requests(to: path).count
        if let delay = receiver.delays.value[path] { try await Task.sleep(for: delay) }
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: "{\"ok\":\(status < 300),\"path\":\"\(path)\",\"count\":\(count)}")))
    }
}

/// A port number that arrives once, from the server's start callback.
public final class PortPromise: Sendable {
    private let state = LockedBox<(port: Int?, waiter: CheckedContinuation<Int, Never>?)>((nil, nil))

    public func fulfil(_ port: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
            guard state.port == nil else { return nil }
            state.port = port
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: port)
    }

    public var value: Int {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Int? in
                    if let port = state.port { return port }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
