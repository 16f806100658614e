import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

extension Request {
    /// Reads the body with a hard cap. A declared length over the cap is
    /// refused before a byte is read; a chunked body is cut off at the cap.
    mutating func collectBody(limit: Int) async throws -> [UInt8] {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            // A chunked body (no Content-Length) crossed the cap while streaming.
            throw APIError.bodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
        return Array(buffer.readableBytesView)
    }

    /// The body of a management call: a JSON object (or nothing, as `{}`).
    mutating func jsonObjectBody(allowEmpty: Bool = false) async throws -> JSONObject {
        let bytes = try await collectBody(limit: 1_048_576)
        if bytes.isEmpty && allowEmpty { return JSONObject() }
        do {
            return try JSONParser().parseObject(bytes)
        } catch {
            throw APIError.badRequest(error.message)
        }
    }
}
