import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM/SIGINT (shutdown) and SIGHUP (reopen logs), delivered through Dispatch signal sources
/// (no code runs in an async-signal context).
///
/// `install()` runs first thing in `main`: a SIGTERM that arrives while the launcher is still
/// starting (loading the policy, binding its socket) is remembered and `wait()` returns at once,
/// instead of being lost or ending the process half-started.
public enum ShutdownSignal {
    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var installed = false
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private final class Box: @unchecked Sendable {
        // Guarded by `lock`.
        var state = State()
    }
    private static let box = Box()
    private static let lock = Mutex(())

    /// Starts listening for SIGTERM and SIGINT (idempotent).
    public static func install() {
        lock.withLock { _ in
            guard !box.state.installed else { return }
            box.state.installed = true
            for sig in [SIGTERM, SIGINT] {
                // Dispatch's recipe: ignore the default action, then let the source report it.
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { fire() }
                source.resume()
                box.state.sources.append(source)
            }
        }
    }

    private static func fire() {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock { _ in
            box.state.fired = true
            defer { box.state.waiter = nil }
            return box.state.waiter
        }
        waiter?.resume()
    }

    /// Calls `handler` (on a Dispatch queue) for every SIGHUP: reopen log files after rotation.
    public static func onHangup(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        lock.withLock { _ in box.state.sources.append(source) }
    }

    /// Returns when the first SIGTERM or SIGINT has arrived (at once if it already has).
    public static func wait() async {
        install()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = lock.withLock { _ in
                if box.state.fired { return true }
                box.state.waiter = continuation
                return false
            }
            if already { continuation.resume() }
        }
    }
}
