import NIOCore
import NIOHTTP1

/// Holds every connection to its deadlines, whatever the route did with the
/// request. It sits between NIO's HTTP/1 decoder and Hummingbird's codec, so
/// it sees the request's version and keep-alive, which Hummingbird's own
/// types drop. It:
/// - closes the connection after the response when the request did not ask
///   to keep it (HTTP/1.0 without `Connection: keep-alive`, or
///   `Connection: close`), saying `Connection: close`;
/// - when a response ends before its request's body has arrived (a `404`,
///   `401` or `413` answered without reading), discards the rest within the
///   body deadline and byte cap, or closes: Hummingbird would otherwise wait
///   for that rest forever, and a trickle keeps its idle timer from firing;
/// - after a malformed request (NIO's `HTTPParserError`), closes once the
///   answer is out;
/// - answers a connection over the caps of `ConnectionLimits` `503` and
///   closes it.
/// Closing is lingering: the output is shut after the response (the client
/// sees it, then end of stream), the input is discarded until the client
/// closes or the short linger time passes (counted from when the response
/// has gone out to the socket), so unread bytes do not turn the
/// close into a reset that could destroy the response before the client
/// reads it. A connection whose client reads its response thus lives at
/// most the drain time (the shorter of the body deadline and the idle
/// timeout) plus the linger time past its response. (Both used to be a whole
/// body deadline: with the default 10 s and a 4 s idle timeout, a client
/// that kept sending had its stream ended at 10 s and was dropped at 14 s,
/// and an HTTP/1.0 client that did not close its side was held 10 s.)
/// On the keep-alive path it only counts; a timer exists only while a body is
/// being discarded or a connection is closing.
final class ConnectionHygieneHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Limits: Sendable {
        /// How long the unread rest of a body may take after the response:
        /// the body deadline, or the idle timeout when that is shorter (the
        /// node has nothing more to do with the request, so the connection is
        /// as good as idle).
        var drainTime: TimeAmount
        /// How many unread bytes are discarded before the connection is dropped.
        var drainBytes: Int
        /// How long a closing connection (output shut) waits for the client
        /// to close its side, discarding what it still sends. Long enough for
        /// the client to read the response before a reset could destroy it;
        /// short, because nothing is served any more.
        var lingerTime: TimeAmount = .seconds(2)
        /// How long a connection over the caps has to send its request head.
        var refusalWait: TimeAmount = .seconds(1)
    }

    private enum Phase {
        /// Requests pass through.
        case serving
        /// The response is out; the rest of its request's body is discarded.
        case draining
        /// Over a cap: the first request head gets `503`.
        case refusing
        /// The output is shut; the input is discarded until it ends.
        case closing
    }

    private let limits: Limits
    private var phase: Phase
    /// Request heads read and responses ended: with pipelining, the response
    /// being written answers request number `responsesEnded + 1`.
    private var requestsRead = 0
    private var responsesEnded = 0
    private var latestRequestEnded = true
    private var latestIsHTTP10 = false
    /// The first request that asked for the connection to close.
    private var closingRequest: Int?
    private var parseFailed = false
    private var closeAfterResponse = false
    private var discarded = 0
    private var timer: Scheduled<Void>?
    /// False once the channel is gone: a late callback must not arm a timer.
    private var active = true

    init(limits: Limits, refusing: Bool) {
        self.limits = limits
        self.phase = refusing ? .refusing : .serving
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if phase == .refusing {
            arm(limits.refusalWait, context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        active = false
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch phase {
        case .serving:
            switch part {
            case .head(let head):
                requestsRead += 1
                latestRequestEnded = false
                latestIsHTTP10 = head.version == .http1_0
                // Parsed headers know their keep-alive state already: no scan here.
                if closingRequest == nil, !head.isKeepAlive { closingRequest = requestsRead }
            case .body:
                break
            case .end:
                latestRequestEnded = true
            }
            context.fireChannelRead(data)
        case .draining:
            switch part {
            case .body(let bytes):
                // Passed on: Hummingbird discards it too, and seeing it keeps
                // Hummingbird's idle timer from resetting the connection
                // while the deadline here still runs.
                discard(bytes.readableBytes, context: context)
                if phase == .draining { context.fireChannelRead(data) }
            case .end:
                latestRequestEnded = true
                phase = .serving
                disarm()
                context.fireChannelRead(data)
            case .head:
                // A head cannot come before the end of the body being drained.
                context.close(promise: nil)
            }
        case .refusing:
            if case .head = part {
                refuse(context: context)
            }
        case .closing:
            if case .body(let bytes) = part {
                discard(bytes.readableBytes, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            switch phase {
            case .serving:
                // The request's handler answers `400`; then the connection goes.
                parseFailed = true
            case .draining, .refusing, .closing:
                // Nobody is waiting for this request's bytes any more.
                giveUp(context: context)
            }
        }
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if phase == .closing, let event = event as? ChannelEvent, event == .inputClosed {
            // The client has read the response and closed its side.
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            var close = parseFailed || phase == .closing || (closingRequest.map { $0 <= responsesEnded + 1 } ?? false)
            if !close, head.headers.contains(name: "connection"), !head.isKeepAlive {
                close = true
            }
            closeAfterResponse = close
            if latestIsHTTP10 {
                // An HTTP/1.0 client knows neither chunked bodies nor
                // keep-alive by default: NIO's encoder frames a 1.0 response
                // without chunks, so one without a length ends at the close.
                head.version = .http1_0
                if !close, !head.headers.contains(name: "content-length") { closeAfterResponse = true }
                head.headers.replaceOrAdd(name: "connection", value: closeAfterResponse ? "close" : "keep-alive")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else if close {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            responsesEnded += 1
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                startClosing(context: context)
            } else if responsesEnded == requestsRead, !latestRequestEnded {
                context.write(data, promise: promise)
                phase = .draining
                discarded = 0
                arm(limits.drainTime, context: context)
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    /// The answer to a connection over a cap, written here: Hummingbird
    /// never sees its request.
    private func refuse(context: ChannelHandlerContext) {
        let body = #"{"success":false,"message":"Too many connections"}"#
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.utf8.count))
        headers.add(name: "retry-after", value: "1")
        headers.add(name: "connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .serviceUnavailable, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        startClosing(context: context)
    }

    /// Shuts the output once what is written has gone, then waits (bounded)
    /// for the client to close its side.
    private func startClosing(context: ChannelHandlerContext) {
        // Once: a late response (Hummingbird answers a body cut short by the
        // close with a 400 of its own) must not extend the linger.
        guard phase != .closing else { return }
        phase = .closing
        discarded = 0
        // The linger starts once the response has gone out (NIO shuts the
        // output after the pending writes): a large response to a slow
        // reader must not be cut after 2 s. Until then the drain time bounds
        // it (Hummingbird's idle timer too).
        arm(limits.drainTime, context: context)
        let shut = context.eventLoop.makePromise(of: Void.self)
        shut.futureResult.assumeIsolated().whenComplete { _ in
            // Not when the timer already fired (it closed the connection).
            guard self.active, self.phase == .closing, self.timer != nil else { return }
            self.arm(self.limits.lingerTime, context: context)
        }
        context.close(mode: .output, promise: shut)
    }

    private func discard(_ count: Int, context: ChannelHandlerContext) {
        discarded += count
        if discarded > limits.drainBytes {
            giveUp(context: context)
        }
    }

    /// A drain past its deadline or cap closes lingering (the response may
    /// still sit unread in the client's buffer, and a reset would destroy
    /// it); anything else past its bound is closed at once.
    private func giveUp(context: ChannelHandlerContext) {
        if phase == .draining {
            startClosing(context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func arm(_ delay: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.timer = nil
            self.giveUp(context: context)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension ConnectionHygieneHandler: Sendable {}
