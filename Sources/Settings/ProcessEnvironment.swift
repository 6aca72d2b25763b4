import Host

#if canImport(Glibc)
import Glibc
#endif

/// This process's environment and working directory, read without Foundation: the inputs of
/// `HTTPExecSettings.load` for the executables.
public enum ProcessEnvironment {
    /// Every `NAME=value` of `environ` (a name without `=` is skipped).
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }

    /// The working directory (`/` if it cannot be read).
    public static var currentDirectory: String { HostPath.currentDirectory }
}
