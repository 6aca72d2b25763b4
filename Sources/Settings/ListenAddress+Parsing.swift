#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a `BIND` entry is not a `HOST:PORT` address.
struct ListenAddressProblem: Error, Equatable {
    let reason: String
}

extension ListenAddress {
    /// Parses `HOST:PORT`: `127.0.0.1:8000`, `[::1]:8000`, `localhost:8000`. `key` is the
    /// setting being read (`BIND` or `METRICS_BIND`), for the hint about Unix sockets.
    static func parseTCP(_ text: String, for key: SettingKey = .bind) -> Result<ListenAddress, ListenAddressProblem> {
        func problem(_ reason: String) -> Result<ListenAddress, ListenAddressProblem> {
            .failure(ListenAddressProblem(reason: reason))
        }
        if text.hasPrefix("unix:") {
            let unixKey: SettingKey = key == .metricsBind ? .metricsUnix : .unix
            return problem("\(quoted(text)) is a Unix socket; list Unix sockets in \(unixKey), not \(key)")
        }
        guard let colon = text.lastIndex(of: ":") else {
            return problem("\(quoted(text)) has no port; write HOST:PORT, e.g. 127.0.0.1:8000")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = SettingReader.decimal(portText) else {
            return problem("\(quoted(String(portText))) is not a port number in \(quoted(text))")
        }
        guard (0...65535).contains(port) else {
            return problem("port \(port) is out of range 0…65535 in \(quoted(text))")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 {
            host = String(host.dropFirst().dropLast())
            guard isIPv6(host) else { return problem("\(quoted(host)) is not an IPv6 address in \(quoted(text))") }
            return .success(.tcp(host: host, port: port))
        }
        if host.contains(":") {
            return problem("\(quoted(text)): write an IPv6 address in brackets, e.g. [::1]:8000")
        }
        guard !host.isEmpty else { return problem("\(quoted(text)) has no host; use 0.0.0.0 or [::] for all addresses") }
        if isIPv4(host) || isHostname(host) { return .success(.tcp(host: host, port: port)) }
        return problem("\(quoted(host)) is not an IPv4 address or a hostname in \(quoted(text))")
    }

    /// Four dotted decimal octets, as `inet_pton` accepts them (no leading zeros or short forms).
    static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    static func isIPv6(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, host, &address) == 1
    }

    /// An RFC 1123 hostname: dot-separated labels of 1…63 letters, digits and `-` (not at either
    /// end), at most 253 bytes, and not all-numeric (a mistyped IPv4 address such as `10.0.0.256`
    /// must not be looked up as a name).
    static func isHostname(_ host: String) -> Bool {
        let name = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"),
                  bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return !labels.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
