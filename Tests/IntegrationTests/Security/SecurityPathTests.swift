import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Issue #7, path escapes, against the real `httpexec serve` (the policy it generates, no
// follow-links). Each attack aims at a marker script, so "refused" means "did not run", and each
// test says which layer stopped it: the front-end (the request never reaches the launcher: no
// "request ID:" line in its log) or the launcher (its log names the rejection).
//
// Covered elsewhere, not repeated here: every spelling of `..`, `%2e%2e`, control characters and
// follow-links escapes answered 404 with nothing run (APIHardeningTests.pathsThatNameNoCommandAre404,
// APIHardeningTests.FollowLinks.escapesAre404), and the launcher's own refusal of `../x`, `/bin/true`,
// `sub//x`, NUL when the front-end is bypassed (LauncherIntegrationTests.resolutionNoFollow).

/// Exec root additions: marker scripts inside and outside the root, and link targets for the races.
private func addPathFiles(_ fixture: SecurityFixture) throws {
    try fixture.write("marker", fixture.markerScript)
    try fixture.write("sub/marker", fixture.markerScript)
    try fixture.write(fixture.directory + "/outside/marker", fixture.markerScript)
    // The swap targets: a harmless script inside, one that records a run outside.
    try fixture.write("inside.sh", "#!/bin/sh\necho inside\n")
    try fixture.write("insidedir/evil.sh", "#!/bin/sh\necho inside\n")
    try fixture.write(fixture.directory + "/outside/evil.sh", fixture.markerScript)
    // An intermediate link that stays inside (the control for dirlink -> /bin).
    try fixture.link("sublink", to: "sub")
}

@Suite(
    "security: path escapes", .serialized,
    .enabled(if: runningAsRoot, "needs root: serve switches jobs to their own uid"),
    .securityServer { try SecurityFixture(policy: .generated(), setup: addPathFiles) })
struct SecurityPathTests {
    /// `..` however spelled, and NUL: the front-end answers 404 and never asks the launcher.
    /// A front-end that passed them on would show a "request ID:" line from the launcher.
    @Test(arguments: [
        "/../outside/marker", "/%2e%2e/outside/marker", "/%2E%2e/outside/marker", "/..%2foutside%2fmarker",
        "/sub/..%2F..%2Foutside/marker", "/sub/%2e%2e/marker", "/marker%00", "/marker%00.sh", "/sub%00/marker",
    ])
    func escapesStopAtTheFrontEnd(target: String) throws {
        try SecurityFixture.current().checked { fixture in
            let (response, id) = try fixture.tagged(target, #"{"stdout":{"capture":true}}"#)
            expectSecurityRejected(response, 404, "not_found", fixture)
            expectNoMarkers(fixture)
            // The control: a request the front-end passes on does leave the launcher's line.
            let (missing, controlID) = try fixture.tagged("/missing")
            expectSecurityRejected(missing, 404, "not_found", fixture)
            #expect(fixture.launcherRejected(controlID, "not_found"), "the launcher logs what it sees\n\(fixture.log)")
            #expect(fixture.launcherLines(for: id).isEmpty, "\(target) reached the launcher: \(fixture.launcherLines(for: id))")
        }
    }

    /// `//bin/sh`, `%2f` and friends: leading slashes are dropped, so the launcher looks for
    /// `bin/sh` *beneath the root* (not found) — never the host's /bin/sh, which would have run
    /// the `-c` command and left a marker.
    @Test(arguments: ["//bin/sh", "///bin/sh", "/%2fbin%2fsh", "/%2Fbin/sh", "/%2f%2fbin/sh"])
    func absolutePathsStayBeneathTheRoot(target: String) throws {
        try SecurityFixture.current().checked { fixture in
            let body = #"{"args":["-c",": > '\#(fixture.markers)/abs.$$'"]}"#
            let (response, id) = try fixture.tagged(target, body)
            expectSecurityRejected(response, 404, "not_found", fixture)
            #expect(fixture.launcherRejected(id, "not_found"), "the launcher resolved it beneath the root\n\(fixture.log.suffix(2000))")
            expectNoMarkers(fixture)
        }
    }

    /// `dirlink -> /bin` inside the root: the launcher resolves beneath the root
    /// (`RESOLVE_BENEATH`), so the intermediate link out is refused and /bin/sh never runs; an
    /// intermediate link that stays inside (`sublink -> sub`) is followed.
    @Test func directoryLinkOutOfTheRootIsNotFollowed() throws {
        try SecurityFixture.current().checked { fixture in
            let body = #"{"args":["-c",": > '\#(fixture.markers)/dirlink.$$'"]}"#
            let (response, id) = try fixture.tagged("/dirlink/sh", body)
            expectSecurityRejected(response, 404, "not_found", fixture)
            #expect(fixture.launcherRejected(id, "not_found"), "\(fixture.log.suffix(2000))")
            expectNoMarkers(fixture)

            let inside = try fixture.post("/sublink/marker", #"{"stdout":{"capture":true}}"#)
            #expect(inside.status == 200, "\(inside)")
            #expect(fixture.markerFiles().count == 1, "the link inside the root is followed")
            fixture.clearMarkers()
        }
    }

    struct Swap: Sendable, CustomTestStringConvertible {
        let link: String
        let inside: String
        /// Relative to the fixture directory.
        let outside: String
        let target: String
        var testDescription: String { "\(link): \(inside) ⇄ \(outside)" }
    }

    /// A symlink flipped as fast as possible between an allowed script and a marker outside the
    /// root while requests run it: the launcher checks and executes the *same open file*
    /// (resolved beneath the root, then `execveat` on that fd), so no swap between check and use
    /// can run the outside target. Both states must have been seen (200 "inside" and 404), or the
    /// race was not exercised.
    @Test(arguments: [
        Swap(link: "flip", inside: "inside.sh", outside: "outside/evil.sh", target: "/flip"),
        Swap(link: "dflip", inside: "insidedir", outside: "outside", target: "/dflip/evil.sh"),
    ])
    func swappedSymlinkNeverRunsTheOutsideTarget(_ swap: Swap) throws {
        try SecurityFixture.current().checked { fixture in
            let linkPath = fixture.root + "/" + swap.link
            let targets = [swap.inside, fixture.directory + "/" + swap.outside]
            // A new link under a temporary name, renamed over the old one: the name always
            // exists and points at one of the two targets.
            try fixture.link(swap.link, to: targets[0])
            let flipper = SecurityLoop { index in
                let temporary = linkPath + ".tmp"
                unlink(temporary)
                return symlink(targets[index % 2], temporary) == 0 && rename(temporary, linkPath) == 0
            }
            defer { flipper.stop() }

            var statuses: [Int: Int] = [:]
            var insideRuns = 0
            // At least 3 s; longer (up to 30 s) only on a machine so slow that both link states
            // have not been requested yet.
            let start = ContinuousClock.now
            while ContinuousClock.now < start + .seconds(3)
                || (!(insideRuns > 0 && statuses[404, default: 0] > 0) && ContinuousClock.now < start + .seconds(30))
            {
                let response = try fixture.post(swap.target, #"{"stdout":{"capture":true}}"#)
                statuses[response.status, default: 0] += 1
                if response.status == 200 && SecurityFixture.stdout(response) == "inside\n" { insideRuns += 1 }
                if !fixture.markerFiles().isEmpty { break }
            }
            flipper.stop()
            expectNoMarkers(fixture)
            #expect(Set(statuses.keys).isSubset(of: [200, 404]), "\(statuses)")
            #expect(insideRuns > 0 && statuses[404, default: 0] > 0, "both link states were requested: \(statuses), \(flipper.successes) flips")
            #expect(insideRuns == statuses[200, default: 0], "every 200 ran the inside script")
            unlink(linkPath)
        }
    }

    /// A chain of symlinks inside the root: 40 links are followed (the kernel's limit), 41 are
    /// `ELOOP`, answered 404 without running anything and without hurting the launcher.
    @Test func symlinkChainLongerThan40IsNotFound() throws {
        try SecurityFixture.current().checked { fixture in
            // chain41 → chain40 → … → chain1 → marker: chainN is N links away from the script.
            try fixture.link("chain1", to: "marker")
            for n in 2...41 { try fixture.link("chain\(n)", to: "chain\(n - 1)") }

            let (tooLong, id) = try fixture.tagged("/chain41")
            expectSecurityRejected(tooLong, 404, "not_found", fixture)
            #expect(fixture.launcherRejected(id, "not_found"))
            expectNoMarkers(fixture)

            let longest = try fixture.post("/chain40")
            #expect(longest.status == 200, "\(longest)")
            #expect(fixture.markerFiles().count == 1, "40 links are followed")
            fixture.clearMarkers()
        }
    }
}
