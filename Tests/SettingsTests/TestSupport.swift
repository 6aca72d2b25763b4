import Foundation
import Settings

/// A fresh directory under the system temporary directory, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("httpexec-settings-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Resolve symlinks (macOS /var → /private/var) so paths compare equal to normalised ones.
        path = url.resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the directory and returns its absolute path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Creates the subdirectory `name` and returns its absolute path.
    @discardableResult
    func makeDirectory(_ name: String) throws -> String {
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// The working directory the tests pretend to run in (never touched on disk unless a test says so).
let testDirectory = "/srv/work"

/// Loads settings with `environment` and `overrides` in ``testDirectory``.
func load(_ environment: [String: String] = [:], _ overrides: SettingsOverrides = .init(),
          in directory: String = testDirectory) throws(SettingsError) -> HTTPExecSettings {
    try HTTPExecSettings.load(environment: environment, overrides: overrides, currentDirectory: directory)
}

/// The error `body` throws, or nil when it succeeds.
func settingsError<T>(_ body: () throws(SettingsError) -> T) -> SettingsError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The error loading a settings file with `text` (written into `directory`) throws, if any.
func fileError(_ text: String, in directory: TemporaryDirectory, environment: [String: String] = [:]) throws -> SettingsError? {
    let file = try directory.write("settings.toml", text)
    return settingsError { () throws(SettingsError) in
        try load(environment.merging(["HTTPEXEC_CONFIG_PATH": file]) { a, _ in a })
    }
}

/// Settings loaded from a file with `text`, written into a fresh directory.
func loadFile(_ text: String, environment: [String: String] = [:], _ overrides: SettingsOverrides = .init()) throws -> HTTPExecSettings {
    let directory = try TemporaryDirectory()
    let file = try directory.write("settings.toml", text)
    return try load(environment.merging(["HTTPEXEC_CONFIG_PATH": file]) { a, _ in a }, overrides)
}
