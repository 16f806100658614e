import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VoxworksCore

#if canImport(Glibc)
import Glibc
#endif

public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var timeoutSeconds: Double

    public init(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeoutSeconds: Double) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

public enum OutboundError: Error, Sendable, Equatable {
    /// The policy refused the destination (never retried).
    case refused(String)
    case invalidURL(String)
    case timeout
    /// Could not connect, or the connection broke (retried).
    case connection(String)
    case responseTooLarge(Int)
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
            guard let first = addresses.first else { throw .connection("\(bareHost) does not resolve") }
            // Every answer is checked; one that is not an address we can read
            // (a scoped link-local `fe80::1%eth0`) is refused.
            if let bad = addresses.first(where: { text in IPAddress(text).map { !policy.permits(address: $0, port: port, host: bareHost) } ?? true }) {
                throw .refused("\(bareHost) resolves to \(bad), and port \(port) there is a private, loopback or this service's own address")
            }
            target = first
        }

        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .milliseconds(Int64(request.timeoutSeconds * 1000))))
        if target != bareHost { configuration.dnsOverride = [bareHost: target] }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { client.shutdown { _ in } }

        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(request.timeoutSeconds * 1000)))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return OutboundResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch let error as HTTPClientError where [.readTimeout, .connectTimeout, .deadlineExceeded].contains(error) {
            throw .timeout
        } catch is NIOTooManyBytesError {
            throw .responseTooLarge(maxResponseBytes)
        } catch {
            throw .connection(String(describing: error))
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
                    continuation.resume(returning: .failure(.connection("\(host) does not resolve")))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [String] = []
                var cursor: UnsafeMutablePointer<addrinfo>? = first
                while let entry = cursor {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
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
