/// Receives a job's events. Called on the engine thread: copy what you need and return quickly;
/// never block (every job of the engine waits while you do).
public protocol JobObserver: AnyObject, Sendable {
    /// The child has exec'd.
    func jobStarted(pid: Int32)
    /// Output within the stream's cap. The buffer is only valid during the call.
    func jobOutput(_ stream: OutputStreamKind, _ bytes: UnsafeRawBufferPointer)
    /// Called exactly once: the result, or why the job never started.
    func jobFinished(_ outcome: Result<JobResult, SandboxError>)
}

/// stdout or stderr.
public enum OutputStreamKind: Sendable, Hashable {
    case stdout
    case stderr
}

/// A started (or starting) job: feed its stdin or cancel it.
public struct JobHandle: Sendable, Hashable {
    /// Engine-unique id.
    public let id: UInt64
    let engine: SpawnEngine

    /// Appends bytes to a `.stream` stdin (ignored for other modes or after close).
    public func writeStdin(_ bytes: [UInt8]) { engine.loop(for: id).submit(.stdin(id, bytes)) }
    /// Closes a `.stream` stdin once everything written so far has been delivered.
    public func closeStdin() { engine.loop(for: id).submit(.closeStdin(id)) }
    /// Cancels the job: SIGTERM to its group, SIGKILL after the grace period; the result is still
    /// reported, flagged `cancelled`.
    public func cancel() { engine.loop(for: id).submit(.cancel(id)) }

    public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.engine === b.engine }
    public func hash(into h: inout Hasher) { h.combine(id) }
}
