import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Issue #7, environment injection, with real payloads: a preload library, an iconv module, a
// malloc tunable and a bash start-up file, each of which leaves a marker when it takes effect.
// Each test first runs its payload *outside* httpexec (root, no sandbox) to show the marker does
// appear when the variable reaches the program; then asks httpexec to run the same program with
// the variable: 400 `denied_environment` from the launcher's deny list, and no marker. Without
// the variable the program runs normally (200), so the 400 is the deny list at work.
//
// Covered elsewhere, not repeated here: an empty name, `=` in a name, NUL → 400 with nothing run
// (APIHardeningTests.badArgumentsAndVariablesAreRefused, and at the launcher
// LauncherIntegrationTests.environment); the whole deny list by name
// (APIHardeningTests.deniedVariablesAreRefused).

/// One payload: the variable, how to build what it points at, and the program it attacks.
struct EnvironmentPayload: Sendable, CustomTestStringConvertible {
    let variable: String
    /// The exec-root program the payload attacks (harmless without the variable).
    let program: String
    var testDescription: String { variable }

    static let all = [
        EnvironmentPayload(variable: "LD_PRELOAD", program: "plain.sh"),
        EnvironmentPayload(variable: "GCONV_PATH", program: "iconv-user"),
        EnvironmentPayload(variable: "GLIBC_TUNABLES", program: "malloc-user"),
        EnvironmentPayload(variable: "BASH_ENV", program: "bash-script"),
    ]
}

extension SecurityFixture {
    /// C that creates `markers/<tag>.<pid>`.
    fileprivate func markerC(_ tag: String) -> String {
        """
        #include <fcntl.h>
        #include <stdio.h>
        #include <unistd.h>
        static void leave_marker(void) {
            char path[4096];
            snprintf(path, sizeof path, "\(markers)/\(tag).%d", (int)getpid());
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd >= 0) close(fd);
        }
        """
    }

    /// Builds the payload (outside the exec root) and its target program; returns the variable's value.
    fileprivate func prepare(_ payload: EnvironmentPayload) throws -> String {
        let payloads = directory + "/payloads"
        try FileManager.default.createDirectory(atPath: payloads, withIntermediateDirectories: true)
        switch payload.variable {
        case "LD_PRELOAD":
            // Its constructor runs in any dynamically linked program it is loaded into (/bin/sh here).
            try write("plain.sh", "#!/bin/sh\necho plain\n")
            return try compile(markerC("preload") + "\n__attribute__((constructor)) static void ran(void) { leave_marker(); }\n",
                               to: payloads + "/libpreload.so", shared: true)
        case "GCONV_PATH":
            // An iconv module for a made-up charset: glibc loads it from GCONV_PATH on iconv_open.
            try compile(markerC("gconv") + """

                __attribute__((constructor)) static void ran(void) { leave_marker(); }
                int gconv_init(void *step) { return 1; }
                int gconv(void *step, void **data, const unsigned char **in, const unsigned char *end,
                          unsigned char **out, size_t *written, int flush, int consume) { return 1; }
                """, to: payloads + "/gconv/secmark.so", shared: true)
            try "module  INTERNAL  SECMARK//  secmark  1\nmodule  SECMARK//  INTERNAL  secmark  1\n"
                .write(toFile: payloads + "/gconv/gconv-modules", atomically: true, encoding: .utf8)
            try compile("""
                #include <iconv.h>
                #include <stdio.h>
                int main(void) {
                    iconv_t c = iconv_open("SECMARK//", "UTF-8");
                    printf("iconv=%s\\n", c == (iconv_t)-1 ? "unavailable" : "opened");
                    return 0;
                }
                """, to: "iconv-user")
            return payloads + "/gconv"
        case "GLIBC_TUNABLES":
            // glibc.malloc.perturb fills new allocations with the byte's complement: observable.
            try compile(markerC("tunables") + """

                #include <stdlib.h>
                int main(void) {
                    unsigned char *p = malloc(200);
                    if (p && p[0] == (0x5a ^ 0xff) && p[199] == (0x5a ^ 0xff)) leave_marker();
                    puts("malloc");
                    return 0;
                }
                """, to: "malloc-user")
            return "glibc.malloc.perturb=90"
        case "BASH_ENV":
            // Non-interactive bash sources $BASH_ENV before the script.
            try write("bash-script", "#!/bin/bash\necho bash\n")
            try write(payloads + "/bashenv", ": > '\(markers)/bashenv.'$$\n", mode: 0o644)
            return payloads + "/bashenv"
        default:
            throw ServeFixtureError(description: "no payload for \(payload.variable)")
        }
    }

    /// Runs `program` (in the exec root) directly as root, without httpexec, with `environment`.
    fileprivate func runDirectly(_ program: String, environment: [String: String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: root + "/" + program)
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }
}

@Suite(
    "security: environment injection", .serialized,
    .enabled(if: runningAsRoot && access("/usr/bin/cc", X_OK) == 0, "needs root and cc (payloads are compiled at test time)"),
    .securityServer { try SecurityFixture(policy: .generated()) })
struct SecurityEnvironmentTests {
    @Test(arguments: EnvironmentPayload.all)
    func payloadVariableIsDenied(_ payload: EnvironmentPayload) throws {
        try SecurityFixture.current().checked { fixture in
            let value = try fixture.prepare(payload)

            // The payload is real: outside httpexec it leaves its marker.
            try fixture.runDirectly(payload.program, environment: [payload.variable: value])
            #expect(fixture.markerFiles().count == 1, "the \(payload.variable) payload works when it reaches the program")
            fixture.clearMarkers()

            // Through httpexec the launcher refuses the variable, and nothing ran.
            let environment = #"{"\#(payload.variable)":"\#(value)"}"#
            let (response, id) = try fixture.tagged("/" + payload.program, #"{"environment":\#(environment)}"#)
            expectSecurityRejected(response, 400, "denied_environment", fixture)
            #expect(fixture.launcherRejected(id, "denied_environment"), "the launcher's policy decides\n\(fixture.log.suffix(2000))")
            expectNoMarkers(fixture)

            // The same program without the variable runs, and is harmless on its own.
            let plain = try fixture.post("/" + payload.program, #"{"stdout":{"capture":true}}"#)
            #expect(plain.status == 200 && SecurityFixture.returnValue(plain) == 0, "\(plain)")
            expectNoMarkers(fixture)
        }
    }

    /// A variable's value is one `envp` entry: a newline and `LD_PRELOAD=…` inside a value do not
    /// add a variable (the preload library would leave its marker).
    @Test func newlineInAValueAddsNoVariable() throws {
        try SecurityFixture.current().checked { fixture in
            let library = try fixture.prepare(EnvironmentPayload.all[0])
            let body = #"{"environment":{"A":"x\nLD_PRELOAD=\#(library)"},"args":[],"stdout":{"capture":true}}"#
            let response = try fixture.post("/plain.sh", body)
            #expect(response.status == 200 && SecurityFixture.stdout(response) == "plain\n", "\(response)")
            expectNoMarkers(fixture)
        }
    }
}
