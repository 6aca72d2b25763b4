/// The checks that span the metrics settings and the main listeners.
extension HTTPExecSettings {
    /// `METRICS = false` with a metrics listener would bind a port that serves nothing anyone
    /// asked for; a metrics listener on a main listener's address would fail at bind time with a
    /// less helpful message. Both are refused when the settings are loaded.
    func checkMetricsConflicts() throws(SettingsError) {
        if !metrics {
            for key in [SettingKey.metricsBind, .metricsUnix] where source(of: key).isExplicit {
                throw SettingsError(.conflict, key, source: source(of: key),
                                    "METRICS is false (\(source(of: .metrics))), so there is nothing to serve on \(key.rawValue)")
            }
        }
        for address in metricsBind {
            // Port 0 asks for a fresh ephemeral port each time, so it never collides.
            if case .tcp(_, let port) = address, port != 0, bind.contains(address) {
                throw SettingsError(.conflict, .metricsBind, source: source(of: .metricsBind),
                                    "\(quoted(address.description)) is also in BIND (\(source(of: .bind))); a metrics listener needs an address of its own")
            }
        }
        for path in metricsUnix where unix.contains(path) {
            throw SettingsError(.conflict, .metricsUnix, source: source(of: .metricsUnix),
                                "\(quoted(path)) is also in UNIX (\(source(of: .unix))); a metrics listener needs a socket of its own")
        }
    }
}
