import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A socket listening on 127.0.0.1 that never accepts, held until released.
///
/// `.silent`: the kernel completes each handshake into the backlog, so a
/// client connects and then waits for an answer that never comes (a
/// receiver that hangs: the read timeout's case).
///
/// `.fullBacklog`: a backlog of one, filled by connections made here, so
/// that the kernel drops the next connection's SYN and its connect waits
/// (the connect timeout's case, without a non-routable address, which an
/// offline machine cannot reach either). `isSaturated` says whether that
/// was observed.
///
/// `.resetting`: a thread accepts each connection and resets it at once
/// (`SO_LINGER` 0), before any answer: the connection-reset case.
///
/// `.plainHTTP`: a thread accepts each connection, reads what comes, answers
/// a plain HTTP `400` and closes: a TLS client's handshake fails at once.
/// A thread of its own, so that the answer does not wait for a cooperative
/// pool busy with other suites.
final class StalledListener: @unchecked Sendable {
    enum Mode { case silent, fullBacklog, resetting, plainHTTP }

    private let fd: Int32
    private var fillers: [Int32] = []
    let port: Int
    private(set) var isSaturated = false

    init(_ mode: Mode) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.socket }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        // The smallest backlog (0: one queued connection on Linux) only where
        // it is the point (`.fullBacklog`): a full queue drops a SYN, and the
        // client's retry waits a second or more.
        guard bound == 0, named == 0, listen(fd, mode == .fullBacklog ? 0 : 16) == 0 else { close(fd); throw Failure.bind }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        if mode == .plainHTTP {
            let thread = Thread {
                let answer = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
                while true {
                    let client = accept(fd, nil, nil)
                    guard client >= 0 else { return }
                    var buffer = [UInt8](repeating: 0, count: 4_096)
                    _ = recv(client, &buffer, buffer.count, 0)
                    _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    close(client)
                }
            }
            thread.start()
        }
        if mode == .resetting {
            let thread = Thread {
                // Ends when `deinit` shuts the listening socket down (accept fails).
                while true {
                    let client = accept(fd, nil, nil)
                    guard client >= 0 else { return }
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    _ = setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(client)
                }
            }
            thread.start()
        }
        if mode == .fullBacklog {
            // Bounded: a few connections fill a backlog of one on Linux.
            for _ in 0..<6 {
                let (filler, connected) = Self.connectNonBlocking(port: port, waitMillis: 300)
                if filler >= 0 { fillers.append(filler) }
                if !connected { isSaturated = true; break }
            }
        }
    }

    deinit {
        for filler in fillers { close(filler) }
        // Wakes a thread blocked in accept, which then ends.
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A connection attempt; whether it completed within `waitMillis`.
    private static func connectNonBlocking(port: Int, waitMillis: Int32) -> (Int32, Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (-1, true) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return (fd, true) }
        guard errno == EINPROGRESS else { return (fd, true) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, waitMillis) > 0 else { return (fd, false) }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return (fd, error == 0)
    }

    enum Failure: Error { case socket, bind }
}
