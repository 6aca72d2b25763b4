// Support for SecurityHTTPTests: sending that stops as soon as the server answers or closes, and
// watching a connection for the server's move.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension HTTPTestClient {
    /// What the server did while a client was still sending.
    struct StreamOutcome: CustomStringConvertible {
        /// Bytes the server accepted.
        var sent = 0
        /// The server answered (or closed) before everything was sent.
        var interrupted = false
        /// The errno that ended sending (0: none, or the server's answer was readable first).
        var error: Int32 = 0
        var description: String { "sent \(sent) bytes, interrupted=\(interrupted), errno=\(error)" }
    }

    /// Sends the pieces `next()` yields (nil: done) without ever blocking on a server that stopped
    /// reading: before each write it waits (at most 30 s) until the socket is writable or readable,
    /// and stops as soon as a response (or a close) is readable, so a 400/413 sent mid-upload is
    /// read intact instead of being lost to a reset.
    func stream(_ next: () -> [UInt8]?) -> StreamOutcome {
        var outcome = StreamOutcome()
        while let piece = next() {
            var offset = 0
            while offset < piece.count {
                var watch = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
                guard poll(&watch, 1, 30_000) > 0 else {
                    outcome.error = ETIMEDOUT
                    return outcome
                }
                if watch.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    outcome.interrupted = true
                    return outcome
                }
                let n = piece.withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    outcome.error = errno
                    outcome.interrupted = true
                    return outcome
                }
                offset += n
                outcome.sent += n
            }
        }
        return outcome
    }

    /// `stream` over one byte array, in 64 KiB writes.
    func stream(_ bytes: [UInt8]) -> StreamOutcome {
        var offset = 0
        return stream {
            guard offset < bytes.count else { return nil }
            defer { offset = min(bytes.count, offset + 65_536) }
            return Array(bytes[offset..<min(bytes.count, offset + 65_536)])
        }
    }

    /// Makes the coming close a reset (SO_LINGER 0): bytes still queued for a server that stopped
    /// reading are dropped at once instead of holding the connection open behind them.
    func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// The server's end of this IPv4 connection as its fds show it (`socket:[inode]`), from
    /// /proc/net/tcp; nil when the kernel no longer has it.
    func serverSideSocket(serverPort: Int) -> String? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        let clientPort = Int(UInt16(bigEndian: address.sin_port))
        for line in SecurityFixture.readProcFile("/proc/net/tcp").split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9,
                  let local = fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                  let remote = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                  local == serverPort, remote == clientPort
            else { continue }
            return "socket:[\(fields[9])]"
        }
        return nil
    }

    /// Waits up to `milliseconds` for the server to act on this connection: true when it closed
    /// (EOF or reset), false when response bytes arrived, nil when it did nothing. Reads nothing.
    func serverActed(within milliseconds: Int32) -> Bool? {
        var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&watch, 1, milliseconds) > 0 else { return nil }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n > 0 { return false }
        if n == 0 { return true }
        return errno == ECONNRESET ? true : nil
    }
}

/// One request, as raw bytes: `headers` in order, then `body` (no header is added).
func rawRequest(_ target: String, headers: [(String, String)], body: [UInt8] = []) -> [UInt8] {
    var head = "POST \(target) HTTP/1.1\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    return Array((head + "\r\n").utf8) + body
}

/// `bytes` in HTTP/1.1 chunked encoding (one chunk, then the last-chunk).
func chunked(_ bytes: [UInt8]) -> [UInt8] {
    Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + Array("\r\n0\r\n\r\n".utf8)
}
