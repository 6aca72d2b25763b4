extension HTTPExecSettings {
    /// The front-end's uid (and gid) when started as root and `FRONTEND_USER` names no account:
    /// outside the usual account ranges, `nobody`, and the default job uid range (61000-61999),
    /// so the front-end never shares a uid with a job. `httpexec serve` and `httpexec-server`
    /// both use this one value.
    public static let fallbackFrontEndUID: UInt32 = 60999
}
