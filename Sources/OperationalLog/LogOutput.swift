import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where finished lines go: a file descriptor, each line with one write(2), or (in tests) any
/// function.
public struct LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    /// Lines go to `sink`.
    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Lines go to `fd` unbuffered, each with a single write(2) under a process-wide lock: lines
    /// from different threads never interleave, and a line is on its way before the log call
    /// returns (nothing is lost in a buffer when the process dies).
    public static func fileDescriptor(_ fd: Int32) -> LogOutput {
        LogOutput { line in writeLine(line, to: fd) }
    }

    /// fd 2.
    public static let standardError = fileDescriptor(2)

    func write(_ line: String) { sink(line) }

    private static let serial = Mutex(())

    /// One write(2) of the whole line; only a short write (a signal, a full non-blocking pipe)
    /// makes a second one for the rest, still under the lock. A log line is never worth blocking
    /// for long or dying for: after ~5 s stalled or on any other error the line is dropped.
    private static func writeLine(_ line: String, to fd: Int32) {
        var line = line
        line.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            serial.withLock { _ in
                var offset = 0
                var stalls = 0
                while offset < bytes.count {
                    let written = Glibc.write(fd, base + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else if written < 0 && errno == EAGAIN && stalls < 50 {
                        stalls += 1
                        var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&ready, 1, 100)
                    } else {
                        return
                    }
                }
            }
        }
    }
}
