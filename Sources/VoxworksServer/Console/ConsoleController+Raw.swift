import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

import Foundation

/// The whole stored values behind what the pages cut ("… N more bytes"):
/// the API serves them too, but the console signs in with a session cookie,
/// not an API key. Each is a download (`Content-Disposition: attachment`,
/// `application/json`, `nosniff`), so a browser never renders a sender's
/// bytes as a page, and each is scoped to the session's team like the pages.
extension ConsoleController {
    /// The trigger payload exactly as received, byte for byte.
    @Sendable func executionPayloadJSON(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (execution, _) = try await ownExecution(context)
        return Self.download(execution.body, filename: "execution-\(execution.id.lowercased)-payload.json")
    }

    /// The execution as the management API shows it: its payload and every step's input, output and error.
    @Sendable func executionJSON(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (execution, _) = try await ownExecution(context)
        let steps = try await store.steps(executionID: execution.id)
        let value = APIRepresentation.execution(execution, steps: steps)
        return Self.download(Array(value.serialized.utf8), filename: "execution-\(execution.id.lowercased).json")
    }

    /// The automation's kept sample exactly as received, byte for byte.
    @Sendable func sampleJSON(_ request: Request, context: VoxworksRequestContext) async throws -> Response {
        let (automation, session) = try await ownAutomation(context)
        guard let sample = try await store.sample(automationID: automation.id, teamID: session.teamID) else {
            throw ConsoleError.notFound("Sample")
        }
        return Self.download(sample.body, filename: "automation-\(automation.id.lowercased)-sample.json")
    }

    /// Stored JSON as a download. The file name is built from a UUID only, so it needs no quoting rules.
    static func download(_ bytes: [UInt8], filename: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentDisposition] = "attachment; filename=\"\(filename)\""
        var response = Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        ConsoleSecurity.secure(&response)
        return response
    }
}
