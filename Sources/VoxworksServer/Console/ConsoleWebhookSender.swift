import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore
import VoxworksStore

/// The router's own responder, set once the router is built, so that the
/// console's Test Webhook goes through exactly what a sender's request does.
final class ConsoleResponderBox: Sendable {
    typealias Respond = @Sendable (Request, VoxworksRequestContext) async throws -> Response
    private let box = LockedBox<Respond?>(nil)

    func set(_ respond: @escaping Respond) { box.withLock { $0 = respond } }

    var respond: Respond? { box.value }
}

/// Test Webhook: builds the request a sender would (JSON body, a fresh
/// `Idempotency-Key`, `X-Webhook-Signature` when the webhook has a secret)
/// and passes it in process through `POST /api/v1/hooks/{token}`: the same
/// verification, rate limit, idempotency and durable commit.
struct ConsoleWebhookSender {
    let store: any Store
    let responder: ConsoleResponderBox
    let clock: @Sendable () -> Timestamp

    enum Outcome {
        case accepted(UUID)
        case refused(status: Int, message: String)
    }

    func send(body: [UInt8], automation: Automation, context: VoxworksRequestContext, authority: String?) async throws -> Outcome {
        guard let respond = responder.respond else { throw ConsoleError(.serviceUnavailable, "The webhook endpoint is not ready yet.") }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        fields[.idempotencyKey] = "console-test-" + UUID().lowercased
        // The webhook's active keys, read exactly as the endpoint reads them.
        if let route = try await store.route(tokenHash: SecretMaterial.hash(automation.webhook.token), now: clock()),
           let key = route.signingKeys.first {
            fields[.webhookSignature] = "sha256=" + SignatureVerifier.sign(body: body, key: key)
        }
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: authority ?? "localhost",
            path: "/api/v1/hooks/\(automation.webhook.token)", headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
        var inner = context
        inner.consoleSession = nil
        inner.consoleForm = [:]
        inner.teamID = nil
        // A box of its own: the router records the hook's route template in it
        // (for metrics), and the console request keeps its own.
        inner.coreContext.endpointPath = EndpointPath()
        let response = try await respond(request, inner)
        let text = try await Self.collect(response.body)
        let json = try? JSONParser().parse(text)
        if response.status == .accepted, let id = json?["execution_id"]?.stringValue.flatMap(UUID.init(uuidString:)) {
            return .accepted(id)
        }
        return .refused(status: Int(response.status.code), message: json?["message"]?.stringValue ?? response.status.reasonPhrase)
    }

    /// Reads a response body written in process.
    static func collect(_ body: ResponseBody) async throws -> String {
        let sink = Sink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.text
    }

    private final class Sink: @unchecked Sendable {
        var buffer = ByteBuffer()
        var text: String { String(buffer: buffer) }
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            sink.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
