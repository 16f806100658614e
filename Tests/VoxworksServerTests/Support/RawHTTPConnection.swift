import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection for what an HTTP client library will not do:
/// promise a body it never sends, or send one slowly. Its reads block, so
/// they run on a Dispatch thread: blocking the cooperative pool (two threads
/// on a 2-core machine) would starve the server under test.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32

    /// `source`: the local address to connect from (any of 127.0.0.0/8 on
    /// Linux), so that a test can be two clients with two addresses.
    /// `receiveBuffer`: a small socket receive buffer (set before connecting,
    /// so TCP's window stays small), for a client that reads slowly.
    init(port: Int, timeoutSeconds: Int = 5, source: String? = nil, receiveBuffer: Int32? = nil) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure.socket }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw Failure.bind }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw Failure.connect }
    }

    deinit { close(fd) }

    /// The local port the connection was made from (0 if unknown).
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 ? Int(UInt16(bigEndian: address.sin_port)) : 0
    }

    enum Failure: Error { case socket, bind, connect, send }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure.send }
            offset += sent
        }
    }

    /// Sends off the cooperative pool (a large send blocks until the server
    /// reads it, and the server under test runs in this process); false
    /// when the peer closed or reset the connection first.
    func sendOffPool(_ bytes: [UInt8]) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: (try? self.send(bytes)) != nil) }
        }
    }

    /// Reads until the peer closes, the timeout passes, or `until` matches.
    func receive(until done: @escaping @Sendable (String) -> Bool = { _ in false }) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingReceive(until: done)) }
        }
    }

    /// Reads until the peer ends the stream (`closed`: end of stream or a
    /// reset) or the read timeout passes (`closed` false). On a thread of
    /// its own, started at once: Dispatch's pool on Linux adds a thread for
    /// a blocked one only after a delay, which would make the read start
    /// late when several tests block at once.
    func receiveToEnd() async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var received = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var closed = false
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                    if count > 0 {
                        received.append(contentsOf: buffer[0..<count])
                        continue
                    }
                    if count < 0, errno == EINTR { continue }
                    // 0 is the end of the stream; a timeout leaves EAGAIN.
                    closed = count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
                    break
                }
                continuation.resume(returning: (String(decoding: received, as: UTF8.self), closed))
            }
        }
    }

    private func blockingReceive(until done: (String) -> Bool) -> String {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
            if done(String(decoding: received, as: UTF8.self)) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// True once a full HTTP/1.1 response with a Content-Length body has arrived.
@Sendable func isCompleteResponse(_ text: String) -> Bool {
    guard let headerEnd = text.range(of: "\r\n\r\n") else { return false }
    let head = text[..<headerEnd.lowerBound].lowercased()
    guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
        let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
    else { return true }
    return text.utf8.count - text[..<headerEnd.upperBound].utf8.count >= length
}
