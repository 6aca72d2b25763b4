/// Where a setting's value came from, for error messages and the startup summary.
public enum SettingSource: Hashable, Sendable, CustomStringConvertible {
    /// The built-in default (or no value, for settings without one).
    case defaultValue
    /// The TOML file named by `HTTPEXEC_CONFIG_PATH`: its absolute path and the line of the key,
    /// when the key was found in the text.
    case file(path: String, line: Int?)
    /// An `HTTPEXEC_*` environment variable.
    case environment(name: String)
    /// A command-line flag (`--bind`).
    case flag(name: String)

    /// `default`, `/etc/httpexec.toml:3`, `env HTTPEXEC_BIND`, `flag --bind`.
    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line?): "\(displayText(path)):\(line)"
        case .file(let path, nil): displayText(path)
        case .environment(let name): "env \(displayText(name))"
        case .flag(let name): "flag \(displayText(name))"
        }
    }

    /// True for every source but ``defaultValue``.
    public var isExplicit: Bool { self != .defaultValue }
}
