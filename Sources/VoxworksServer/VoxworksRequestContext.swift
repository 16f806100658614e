import Hummingbird
import Logging
import NIOCore
import VoxworksStore

import Foundation

/// Per-request state shared by the middleware and the controllers.
public struct VoxworksRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (not a forwarded header: those can be forged).
    public let remoteAddress: String?
    /// The connection, so that a client trickling its body can be cut off.
    let channel: (any Channel)?
    /// `X-Request-Id` of this request, set by `ContractMiddleware`.
    public var requestID: String = ""
    /// The team of the API key, set by `APIKeyMiddleware`.
    public var teamID: UUID?
    /// The signed-in console session, set by `ConsoleAuthMiddleware`.
    var consoleSession: ConsoleSession?
    /// The fields of a console form (POST), parsed once by `ConsoleAuthMiddleware`.
    var consoleForm: [String: String] = [:]

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        channel = source.channel
    }

    /// Bodies are read by the controllers with their own limits.
    public var maxUploadSize: Int { 1_048_576 }
}
