import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `NOTIFY_SOCKET` for a test: a bound datagram socket that collects what a service sends.
final class NotifyListener {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw ServeFixtureError(description: "bind \(path): \(String(cString: strerror(errno)))") }
        // A dropped front-end (uid 60999) must be able to send to it too.
        chmod(path, 0o666)
        var timeout = timeval(tv_sec: 20, tv_usec: 0) // a silent service fails the test, never hangs it
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram ("" after the timeout).
    func receive() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    /// Datagrams until one contains `marker` (that one included), or "" entries on timeout.
    func receive(until marker: String, atMost count: Int = 100) -> [String] {
        var seen: [String] = []
        for _ in 0..<count {
            let message = receive()
            seen.append(message)
            if message.isEmpty || message.contains(marker) { break }
        }
        return seen
    }
}
