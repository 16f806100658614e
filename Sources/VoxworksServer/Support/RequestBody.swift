import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import VoxworksCore

extension Request {
    /// How long a client may take to send its body. A webhook body is small;
    /// one that trickles in (slowloris) would otherwise hold a connection forever.
    static let bodyDeadline: Duration = .seconds(10)

    /// Reads the body with a hard cap and a deadline. A declared length over
    /// the cap is refused before a byte is read; a chunked body is cut off at
    /// the cap; a body still arriving at the deadline gets `408` and its
    /// connection is closed.
    mutating func collectBody(limit: Int, context: VoxworksRequestContext? = nil, deadline: Duration = Request.bodyDeadline) async throws
        -> [UInt8]
    {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            if let channel = context?.channel {
                buffer = try await Self.collect(body, limit: limit, channel: channel, deadline: deadline)
            } else {
                buffer = try await Self.collectRacingATimer(body, limit: limit, deadline: deadline)
            }
        } catch is NIOTooManyBytesError {
            // A chunked body (no Content-Length) crossed the cap while streaming.
            throw APIError.bodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        } catch is HTTPParserError {
            // The client's fault, not the node's: `400`, logged at info so
            // it cannot trip the error alert. `ConnectionHygieneHandler`
            // closes the connection after the answer (the parser cannot go on).
            context?.logger.info("malformed request body")
            throw APIError.malformedBody
        }
        return Array(buffer.readableBytesView)
    }

    /// The read, watched by the process's `BodyDeadlines`.
    private static func collect(_ body: RequestBody, limit: Int, channel: any Channel, deadline: Duration) async throws -> ByteBuffer {
        let watch = BodyDeadlines.shared.watch(channel, for: deadline)
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            if BodyDeadlines.shared.finish(watch) { throw timedOut(channel) }
            throw error
        }
        if BodyDeadlines.shared.finish(watch) { throw timedOut(channel) }
        return buffer
    }

    /// Lets the 408 go out, then drops the connection: the rest of the body
    /// is not worth waiting for.
    private static func timedOut(_ channel: (any Channel)?) -> APIError {
        if let channel {
            channel.eventLoop.scheduleTask(in: .milliseconds(200)) { channel.close(promise: nil) }
        }
        return APIError(.requestTimeout, "The request body was not received in time")
    }

    /// Without a channel to watch (a request made in process): the read
    /// raced against a timer of its own.
    private static func collectRacingATimer(_ body: RequestBody, limit: Int, deadline: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let collected = first else {
                throw timedOut(nil)
            }
            return collected
        }
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
