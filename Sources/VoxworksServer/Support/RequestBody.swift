import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

extension Request {
    /// How long a client may take to send its body. A webhook body is small;
    /// one that trickles in (slowloris) would otherwise hold a connection forever.
    static let bodyDeadline: Duration = .seconds(10)

    /// Reads the body with a hard cap and a deadline. A declared length over
    /// the cap is refused before a byte is read; a chunked body is cut off at
    /// the cap; a body still arriving at the deadline gets `408` and its
    /// connection is closed.
    mutating func collectBody(limit: Int, context: VoxworksRequestContext? = nil, deadline: Duration = Request.bodyDeadline) async throws -> [UInt8] {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            let body = self.body
            buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let collected = first else {
                    // Let the 408 go out, then drop the connection: the rest of
                    // the body is not worth waiting for.
                    if let channel = context?.channel {
                        channel.eventLoop.scheduleTask(in: .milliseconds(200)) { channel.close(promise: nil) }
                    }
                    throw APIError(.requestTimeout, "The request body was not received in time")
                }
                return collected
            }
        } catch is NIOTooManyBytesError {
            // A chunked body (no Content-Length) crossed the cap while streaming.
            throw APIError.bodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
        return Array(buffer.readableBytesView)
    }

    /// The body of a management call: a JSON object (or nothing, as `{}`).
    mutating func jsonObjectBody(allowEmpty: Bool = false, context: VoxworksRequestContext? = nil) async throws -> JSONObject {
        let bytes = try await collectBody(limit: 1_048_576, context: context)
        if bytes.isEmpty && allowEmpty { return JSONObject() }
        do {
            return try JSONParser().parseObject(bytes)
        } catch {
            throw APIError.badRequest(error.message)
        }
    }
}
