import LauncherProtocol
import Sandbox

/// The launcher service (issue 3): socket server, peer check, job lifecycle. The spawn engine it
/// will drive lives in `Sandbox` and is complete.
public enum Launcher {
    /// Human-readable state of this component.
    public static let status = "the launcher service is not implemented yet; the spawn engine (Sandbox) is"
}
