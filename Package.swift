// swift-tools-version:6.1
// The layout mirrors the processes: read this file to find where an HTTP request becomes a process
// (FrontEnd → LauncherProtocol → Launcher → Sandbox → CSpawn).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "httpexec",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "httpexec-server", targets: ["httpexec-server"]),
        .executable(name: "httpexec-launcher", targets: ["httpexec-launcher"]),
        .executable(name: "httpexec", targets: ["httpexec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // The front-end only: routing and HTTP/1.1 on NIO. Default traits off (no
        // swift-configuration, no full Foundation): we need neither.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The front-end's /metrics: swift-metrics API, rendered by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: C boundary
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .target(
            name: "CSpawn",
            cSettings: [
                // Fault injection exists only in debug builds, so tests can drive every failure
                // path of the child; release builds do not contain the code at all.
                .define("HX_FAULT_INJECTION", .when(configuration: .debug)),
            ]
        ),

        // MARK: Libraries
        // Facts about this host: normalised paths, small-file reads, user and group lookups.
        .target(name: "Host", swiftSettings: strict),
        .target(
            name: "Policy",
            dependencies: [
                "Host",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Sandbox",
            dependencies: ["Policy", "Host", "CSpawn", "CSeccomp"],
            swiftSettings: strict
        ),
        .target(name: "LauncherProtocol", swiftSettings: strict),
        // Operational logs for both processes: logfmt, or `<N>`-prefixed lines when stderr is the
        // journal; control characters escaped.
        .target(
            name: "OperationalLog",
            dependencies: ["Host", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The launcher's audit trail: hash-chained JSON lines to a file and/or the journal, and
        // the verifier behind `httpexec audit verify`.
        .target(
            name: "Audit",
            dependencies: ["Host", "CSpawn", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Socket activation (LISTEN_FDS) and sd_notify without libsystemd; both processes use it.
        .target(name: "Systemd", dependencies: ["Host"], swiftSettings: strict),
        .target(
            name: "Launcher",
            dependencies: [
                "LauncherProtocol", "Sandbox", "Policy", "Host", "CSpawn", "Systemd", "Audit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // HTTPEXEC_* settings (defaults < TOML file < environment < flags), validated at startup.
        // Shared by `httpexec-server` and `httpexec serve`, which feeds them to the launcher's policy.
        .target(
            name: "Settings",
            dependencies: [
                "Host", "OperationalLog",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FrontEnd",
            dependencies: [
                "LauncherProtocol", "Systemd", "Host",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // MARK: Executables (one per process)
        .executableTarget(
            name: "httpexec-server",
            dependencies: [
                "FrontEnd", "Settings", "Systemd", "Host", "CSeccomp", "OperationalLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "httpexec-launcher",
            dependencies: ["Launcher", "Systemd", "CSpawn", "OperationalLog", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "httpexec",
            dependencies: [
                "Policy", "Sandbox", "Settings", "Host", "CSpawn", "Audit", "OperationalLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The default seccomp profile (a symlink to policy/seccomp/default.json), compiled in so
            // `httpexec serve` works from any directory.
            resources: [.embedInCode("Profiles/default.json")],
            swiftSettings: strict
        ),
        // A tiny C program that runs *inside* the sandbox in tests and reports what it sees
        // (its own /proc/self/status, fds, environ, limits, and the errno of forbidden syscalls).
        .executableTarget(name: "httpexec-probe"),
        // Test helper: starts a program as a container runtime would under its default seccomp
        // profile, as a non-root user without capabilities (the launcher-in-a-container test).
        .executableTarget(name: "httpexec-container-sim", dependencies: ["CSeccomp"]),

        // MARK: Benchmarks
        .executableTarget(
            name: "httpexec-spawn-bench",
            dependencies: ["Sandbox", "Policy"],
            path: "Benchmarks/SpawnBench",
            swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Sandbox"], swiftSettings: strict),
        .testTarget(name: "LauncherProtocolTests", dependencies: ["LauncherProtocol"], swiftSettings: strict),
        .testTarget(name: "LauncherTests", dependencies: ["Launcher"], swiftSettings: strict),
        .testTarget(
            name: "FrontEndTests",
            dependencies: [
                "FrontEnd", "LauncherProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "SettingsTests", dependencies: ["Settings"], swiftSettings: strict),
        .testTarget(name: "AuditTests", dependencies: ["Audit"], swiftSettings: strict),
        .testTarget(
            name: "OperationalLogTests",
            dependencies: ["OperationalLog", "Host", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Start the real binaries (httpexec-launcher, httpexec) as separate processes.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "LauncherProtocol", "httpexec-launcher", "httpexec-server", "httpexec", "httpexec-probe",
                "httpexec-container-sim",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["Sandbox", "Policy", "httpexec-probe"],
            swiftSettings: strict
        ),
    ]
)
