import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGTERM or SIGINT, delivered through Dispatch signal sources (no code runs in an
/// async-signal context).
public enum ShutdownSignal {
    /// Keeps the signal sources alive for the life of the process.
    private final class Sources: @unchecked Sendable {
        var all: [any DispatchSourceSignal] = []
    }
    private static let sources = Mutex(Sources())

    /// Calls `handler` (on a Dispatch queue) for every SIGHUP: reopen log files after rotation.
    public static func onHangup(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        sources.withLock { $0.all.append(source) }
    }

    /// Returns when the first SIGTERM or SIGINT arrives.
    public static func wait() async {
        let pending = Mutex<CheckedContinuation<Void, Never>?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.withLock { $0 = continuation }
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    pending.withLock { c in
                        c?.resume()
                        c = nil
                    }
                }
                source.resume()
                sources.withLock { $0.all.append(source) }
            }
        }
    }
}
