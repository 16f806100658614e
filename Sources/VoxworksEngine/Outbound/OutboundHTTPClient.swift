import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import VoxworksCore

#if canImport(Glibc)
    import Glibc
#endif

public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// For the whole exchange once connected (the step's `timeout_seconds`).
    public var timeoutSeconds: Double
    /// For establishing the connection (the step's `connect_timeout_seconds`).
    public var connectTimeoutSeconds: Double

    public init(
        method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeoutSeconds: Double, connectTimeoutSeconds: Double = 3
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no response came back. Transport failures are told apart so that
/// the step's message and its attempt's outcome say what happened.
public enum OutboundError: Error, Sendable, Equatable {
    /// The policy refused the destination (never retried).
    case refused(String)
    case invalidURL(String)
    /// Connected, but no complete answer in time (`timeout_seconds`).
    case timeout
    /// Any other transport failure (retried).
    case connection(String)
    case responseTooLarge(Int)
    /// Nothing listens at `host:port` (retried).
    case connectionRefused(String)
    /// The host name does not resolve (retried: DNS may come back).
    case unresolvable(String)
    /// The TLS handshake failed (retried: a certificate may be renewed).
    case tlsFailed(String)
    /// No connection within `connect_timeout_seconds` (retried).
    case connectTimeout
    /// The receiver closed or reset the connection before answering (retried).
    case connectionReset(String)
}

/// Outbound HTTP for the `http_request` step, behind a protocol so tests
/// can count calls and fake failures.
public protocol OutboundHTTPClient: Sendable {
    func send(_ request: OutboundRequest) async throws(OutboundError) -> OutboundResponse
}

/// The real client: resolves the host itself, refuses restricted addresses
/// (every resolved address is checked, so a name cannot smuggle in a private
/// one), and then connects to exactly the checked address (AsyncHTTPClient's
/// `dnsOverride`), so a second DNS answer cannot switch the target after the
/// check. Redirects are not followed. Responses are capped.
///
/// A connection that cannot be made fails at once: AsyncHTTPClient's pool
/// would otherwise retry establishing it with backoff until the deadline
/// (a refused connection took the whole 5 s connect timeout). The step's
/// retry policy is the one place that decides about trying again.
public struct GuardedHTTPClient: OutboundHTTPClient {
    public var policy: OutboundPolicy
    public var maxResponseBytes: Int

    public init(policy: OutboundPolicy, maxResponseBytes: Int = 1 << 20) {
        self.policy = policy
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: OutboundRequest) async throws(OutboundError) -> OutboundResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw .invalidURL(request.url) }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let bareHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host

        // The port is the one AsyncHTTPClient connects to (the URL's, or the
        // scheme's): the policy judges the address and that port together.
        let target: String
        if let literal = IPAddress(bareHost) {
            guard policy.permits(address: literal, port: port) else {
                throw .refused("\(bareHost) port \(port) is a private, loopback or this service's own address")
            }
            target = bareHost
        } else {
            let addresses = try await Self.resolve(bareHost, port: port)
            guard let first = addresses.first else { throw .unresolvable(bareHost) }
            // Every answer is checked; one that is not an address we can read
            // (a scoped link-local `fe80::1%eth0`) is refused.
            if let bad = addresses.first(where: { text in
                IPAddress(text).map { !policy.permits(address: $0, port: port, host: bareHost) } ?? true
            }) {
                throw .refused(
                    "\(bareHost) resolves to \(bad), and port \(port) there is a private, loopback or this service's own address")
            }
            target = first
        }

        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.amount(request.connectTimeoutSeconds), read: Self.amount(request.timeoutSeconds)))
        configuration.connectionPool.retryConnectionEstablishment = false
        if target != bareHost { configuration.dnsOverride = [bareHost: target] }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let endpoint = target.contains(":") ? "[\(target)]:\(port)" : "\(target):\(port)"
        let result: Result<OutboundResponse, OutboundError>
        do {
            let response = try await client.execute(outgoing, timeout: Self.amount(request.timeoutSeconds))
            let headers = response.headers.map { ($0.name, $0.value) }
            let body = try await response.body.collect(upTo: maxResponseBytes)
            result = .success(OutboundResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView)))
        } catch is NIOTooManyBytesError {
            result = .failure(.responseTooLarge(maxResponseBytes))
        } catch {
            result = .failure(Self.classify(error, endpoint: endpoint))
        }
        // Awaited (not fire-and-forget in a `defer`): the client's
        // connections are closed before the step goes on, so clients made
        // per request do not pile up under load.
        try? await client.shutdown()
        return try result.get()
    }

    static func amount(_ seconds: Double) -> TimeAmount {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Which failure an error from AsyncHTTPClient (or the NIO layers under it) is.
    static func classify(_ error: any Error, endpoint: String) -> OutboundError {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return .connectTimeout
            case .readTimeout, .deadlineExceeded: return .timeout
            case .remoteConnectionClosed: return .connectionReset("the receiver closed the connection")
            default: return .connection(String(describing: error))
            }
        case ChannelError.connectTimeout:
            return .connectTimeout
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.outputClosed, ChannelError.alreadyClosed:
            // Closed under a write or a read: the receiver hung up before answering.
            return .connectionReset("the receiver closed the connection")
        case let error as NIOConnectionError:
            if error.dnsAError != nil, error.dnsAAAAError != nil { return .unresolvable(error.host) }
            // Refused on every address tried: nothing listens there.
            if let first = error.connectionErrors.first?.error {
                let failures = error.connectionErrors.map { classify($0.error, endpoint: endpoint) }
                if failures.allSatisfy({ $0 == .connectionRefused(endpoint) }) { return .connectionRefused(endpoint) }
                return classify(first, endpoint: endpoint)
            }
            return .connection(String(describing: error))
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return .connectionRefused(endpoint)
            case ECONNRESET: return .connectionReset("the receiver reset the connection")
            case EPIPE: return .connectionReset("the receiver closed the connection")
            case ETIMEDOUT: return .connectTimeout
            case ENETUNREACH, EHOSTUNREACH: return .connection("no route to \(endpoint)")
            default: return .connection(String(describing: error))
            }
        default:
            // The engine does not link NIOSSL itself; its errors are known by their module.
            let type = String(reflecting: Swift.type(of: error))
            if type.hasPrefix("NIOSSL.") || type.contains("BoringSSL") {
                return .tlsFailed(String(describing: error))
            }
            return .connection(String(describing: error))
        }
    }

    /// getaddrinfo on a Dispatch thread: it blocks, and the cooperative pool must not.
    static func resolve(_ host: String, port: Int) async throws(OutboundError) -> [String] {
        let result: Result<[String], OutboundError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, String(port), &hints, &list)
                guard status == 0, let first = list else {
                    continuation.resume(returning: .failure(.unresolvable(host)))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [String] = []
                var cursor: UnsafeMutablePointer<addrinfo>? = first
                while let entry = cursor {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(
                        entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
                    {
                        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        if !addresses.contains(text) { addresses.append(text) }
                    }
                    cursor = entry.pointee.ai_next
                }
                continuation.resume(returning: .success(addresses))
            }
        }
        return try result.get()
    }
}
