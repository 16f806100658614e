import Hummingbird
import Logging
import NIOCore
import VoxworksCore
import VoxworksStore

import Foundation

/// Per-request state shared by the middleware and the controllers.
public struct VoxworksRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (not a forwarded header: those can be forged).
    public let remoteAddress: String?
    /// The same address as numbers, for the per-address throttles (no text parsing per request).
    public let clientAddress: IPAddress?
    /// The connection, so that a client trickling its body can be cut off.
    let channel: (any Channel)?
    /// `X-Request-Id` of this request, set by `ContractMiddleware`.
    public var requestID: String = ""
    /// The team of the API key, set by `APIKeyMiddleware`.
    public var teamID: UUID?
    /// The SHA-256 of that API key, set with it (a key may not revoke itself when it is its team's last).
    public var apiKeyHash: String?
    /// The signed-in console session, set by `ConsoleAuthMiddleware`.
    var consoleSession: ConsoleSession?
    /// The fields of a console form (POST), parsed once by `ConsoleAuthMiddleware`.
    var consoleForm: [String: String] = [:]

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let peer = source.channel.remoteAddress
        remoteAddress = peer?.ipAddress
        clientAddress = peer.flatMap(Self.ipAddress)
        channel = source.channel
    }

    static func ipAddress(_ address: SocketAddress) -> IPAddress? {
        switch address {
        case .v4(let v4): IPAddress.v4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6): withUnsafeBytes(of: v6.address.sin6_addr) { IPAddress(v6Bytes: $0) }
        case .unixDomainSocket: nil
        }
    }

    /// Bodies are read by the controllers with their own limits.
    public var maxUploadSize: Int { 1_048_576 }
}
