import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with the node's connection caps and a
/// `ConnectionHygieneHandler` placed right after NIO's request decoder (before
/// Hummingbird's codec turns NIO's parts into its own).
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let hygiene: ConnectionHygieneHandler.Limits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = limits.maxPerAddress > 0 ? channel.remoteAddress.flatMap(VoxworksRequestContext.ipAddress) : nil
        let admission = limits.admit(address)
        if admission == .admitted {
            let limits = self.limits
            channel.closeFuture.whenComplete { _ in limits.release(address) }
        } else if let count = limits.refusalsToLog() {
            logger.notice(
                "connections refused: too many connections",
                metadata: [
                    "cap": .string(admission == .overNodeCap ? "node" : "address"),
                    "refused_since_last_line": .stringConvertible(count),
                ])
        }
        let hygiene = self.hygiene
        return http1.setup(channel: channel, logger: logger).map { value in
            // The value wraps a NIOAsyncChannel whose writer NIO requires to
            // be finished: dropping it (a setup that fails after it was made,
            // say on a connection the peer already closed) traps the whole
            // process when the channel becomes active. So the value is always
            // handed on; a connection we could not guard is closed instead.
            do {
                let pipeline = channel.pipeline.syncOperations
                let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try pipeline.addHandler(
                    ConnectionHygieneHandler(limits: hygiene, refusing: admission != .admitted), position: .after(decoder))
            } catch {
                logger.debug("closing a connection that could not be set up", metadata: ["error": "\(error)"])
                channel.close(promise: nil)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// `.http1(configuration:)` behind the node's connection caps and deadlines.
    static func guardedHTTP1(
        configuration: HTTP1Channel.Configuration, limits: ConnectionLimits, hygiene: ConnectionHygieneHandler.Limits
    ) -> HTTPServerBuilder {
        .init { responder in
            GuardedHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration), limits: limits, hygiene: hygiene)
        }
    }
}
