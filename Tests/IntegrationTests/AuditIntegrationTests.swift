import Foundation
import LauncherProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The audit trail end to end: the real front-end and launcher, a real audit file, and
/// `httpexec audit verify` (issue 6). Root only: the front-end drops to uid 60999 and the
/// launcher's policy admits that peer.
@Suite(.serialized, .enabled(if: runningAsRoot, "needs root: the front-end drops to uid 60999 and jobs switch users"))
struct AuditIntegrationTests {
    /// A launcher whose policy writes `audit.log` in a directory of its own, and a front-end.
    final class Setup {
        let auditDirectory: String
        let auditPath: String
        let launcher: LauncherFixture
        let frontEnd: FrontEndProcess

        init(extraAudit: String = "") throws {
            var template = Array("/tmp/httpexec-audit-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            auditDirectory = String(cString: made)
            auditPath = auditDirectory + "/audit.log"
            launcher = try LauncherFixture.forFrontEnd(extraPolicy: """
                [audit]
                file = "\(auditPath)"
                journal = "off"
                fsync = "always"
                \(extraAudit)

                [[command]]
                path = "slow.sh"
                timeout = "300ms"
                """)
            let root = launcher.root
            try Self.script(root + "/fail.sh", "#!/bin/sh\nexit 3\n")
            try Self.script(root + "/slow.sh", "#!/bin/sh\nexec sleep 30\n")
            try Self.script(root + "/hang.sh", "#!/bin/sh\nexec sleep 60\n")
            try Self.script(root + "/mark.sh", "#!/bin/sh\ntouch \"$1\"\n")
            frontEnd = try FrontEndProcess(launcherSocket: launcher.socketPath)
        }

        static func script(_ path: String, _ text: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }

        func post(_ command: String, id: String, body: String? = "{}") throws -> HTTPTestResponse {
            try frontEnd.request("/" + command, body: body, headers: [("X-Request-ID", id)])
        }

        /// The records, parsed.
        func records() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// Waits (bounded) until `predicate` holds for the records.
        func waitForRecords(within seconds: Double = 20, _ predicate: ([[String: Any]]) -> Bool) -> [[String: Any]] {
            let end = Date().addingTimeInterval(seconds)
            var current = records()
            while !predicate(current) && Date() < end {
                usleep(20_000)
                current = records()
            }
            return current
        }

        deinit {
            frontEnd.stop()
            launcher.stop()
            try? FileManager.default.removeItem(atPath: auditDirectory)
        }
    }

    private static func terminal(_ records: [[String: Any]], _ id: String) -> [[String: Any]] {
        records.filter { ($0["request_id"] as? String) == id && ["finished", "rejected"].contains($0["event"] as? String) }
    }

    @Test func everyJobBearingRequestHasExactlyOneTerminalRecordAndTheChainVerifies() throws {
        let setup = try Setup()
        let secretArgument = "argument-value-7f3a"
        let secretEnvironment = "environment-value-91cc"
        let run = UUID().uuidString.prefix(8)
        func id(_ name: String) -> String { "audit-\(run)-\(name)" }

        // Ran and succeeded, with an argument and a variable whose values must not be recorded.
        let ok = try setup.post("echo.sh", id: id("ok"), body: #"{"args":["\#(secretArgument)"],"environment":{"AUDIT_TEST":"\#(secretEnvironment)"}}"#)
        #expect(ok.status == 200, "\(ok)")
        // Ran and failed.
        let failed = try setup.post("fail.sh", id: id("fail"))
        #expect(failed.json?["return"] as? Int == 3, "\(failed)")
        // Refused by the launcher itself (the front-end cannot know these).
        let notExecutable = try setup.post("noexec", id: id("noexec"))
        #expect(notExecutable.status == 500, "\(notExecutable)")
        let missing = try setup.post("does-not-exist", id: id("missing"))
        #expect(missing.status == 404, "\(missing)")
        let denied = try setup.post("echo.sh", id: id("denied"), body: #"{"environment":{"LD_PRELOAD":"/tmp/x.so"}}"#)
        #expect(denied.errorCode == "denied_environment", "\(denied)")
        // Timed out (the policy gives slow.sh 300 ms).
        let slow = try setup.post("slow.sh", id: id("timeout"))
        #expect(slow.status == 200, "\(slow)")
        // Cancelled: the client goes away once the job is running.
        let hangID = id("cancel")
        let client = try HTTPTestClient(port: setup.frontEnd.port)
        let body = Array("{}".utf8)
        try client.send(Array("POST /hang.sh HTTP/1.1\r\nHost: x\r\nX-Request-ID: \(hangID)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let started = setup.waitForRecords { records in
            records.contains { ($0["request_id"] as? String) == hangID && ($0["event"] as? String) == "started" }
        }
        #expect(started.contains { ($0["request_id"] as? String) == hangID }, "the hanging job never started")
        shutdown(client.fd, Int32(SHUT_RDWR))
        // Refused by the front-end: no job, so no record.
        let invalid = try setup.post("echo.sh", id: id("invalid"), body: "{not json")
        #expect(invalid.status == 400)

        let jobIDs = ["ok", "fail", "noexec", "missing", "denied", "timeout", "cancel"].map(id)
        let records = setup.waitForRecords { records in jobIDs.allSatisfy { Self.terminal(records, $0).count == 1 } }
        for jobID in jobIDs {
            #expect(Self.terminal(records, jobID).count == 1, "\(jobID): \(records.filter { ($0["request_id"] as? String) == jobID })")
        }
        #expect(records.filter { ($0["request_id"] as? String) == id("invalid") }.isEmpty)

        func terminalRecord(_ name: String) -> [String: Any] { Self.terminal(records, id(name)).first ?? [:] }
        #expect(terminalRecord("ok")["event"] as? String == "finished")
        #expect(terminalRecord("ok")["exit_code"] as? Int == 0)
        #expect(terminalRecord("fail")["exit_code"] as? Int == 3)
        #expect((terminalRecord("noexec")["reason"] as? [String: Any])?["code"] as? String == "not_executable")
        #expect(["not_found", "invalid_path"].contains((terminalRecord("missing")["reason"] as? [String: Any])?["code"] as? String))
        #expect((terminalRecord("denied")["reason"] as? [String: Any])?["code"] as? String == "denied_environment")
        #expect(terminalRecord("timeout")["timed_out"] as? Bool == true)
        #expect(terminalRecord("cancel")["cancelled"] as? Bool == true)

        // Who asked, as the kernel and the front-end say; what was asked, without values.
        let start = try #require(records.first { ($0["request_id"] as? String) == id("ok") && ($0["event"] as? String) == "started" })
        #expect((start["peer"] as? [String: Any])?["uid"] as? Int == 60999)
        let clientField = start["client"] as? [String: Any]
        #expect((clientField?["address"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(clientField?["asserted_by"] as? String == "front-end")
        #expect(start["command"] as? String == "echo.sh")
        let argv = start["argv"] as? [String: Any]
        #expect(argv?["count"] as? Int == 1)
        #expect((argv?["sha256"] as? String)?.count == 64)
        #expect(start["env_names"] as? [String] == ["AUDIT_TEST"])
        #expect((start["run_as"] as? [String: Any])?["uid"] as? Int == 65534)
        #expect(((start["layers"] as? [String: Any])?["seccomp"] as? String) == "enforced")
        #expect((start["policy_sha256"] as? String)?.count == 64)
        let text = try String(contentsOfFile: setup.auditPath, encoding: .utf8)
        #expect(!text.contains(secretArgument))
        #expect(!text.contains(secretEnvironment))
        #expect(records.first?["event"] as? String == "chain_start")

        // The chain verifies...
        let (status, output) = try runTool("httpexec", ["audit", "verify", setup.auditPath])
        #expect(status == 0, "\(output)")
        #expect(output.contains("OK \(records.count) record(s), 1 launcher start(s)"), "\(output)")

        // ...and breaks at the right line when one byte changes or one line goes.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let target = 3 // 0-based: the fourth record
        let changedPath = setup.auditDirectory + "/changed.log"
        var changed = lines
        let original = changed[target]
        let position = original.index(original.startIndex, offsetBy: original.count / 2)
        let replacement: Character = original[position] == "x" ? "y" : "x"
        changed[target] = String(original[..<position]) + String(replacement) + String(original[original.index(after: position)...])
        try changed.joined(separator: "\n").write(toFile: changedPath, atomically: true, encoding: .utf8)
        let (changedStatus, changedOutput) = try runTool("httpexec", ["audit", "verify", changedPath])
        #expect(changedStatus == 1)
        #expect(changedOutput.contains("BROKEN \(changedPath):\(target + 1): "), "\(changedOutput)")

        let removedPath = setup.auditDirectory + "/removed.log"
        lines.remove(at: target)
        try lines.joined(separator: "\n").write(toFile: removedPath, atomically: true, encoding: .utf8)
        let (removedStatus, removedOutput) = try runTool("httpexec", ["audit", "verify", removedPath])
        #expect(removedStatus == 1)
        #expect(removedOutput.contains("BROKEN \(removedPath):\(target + 1): does not follow"), "\(removedOutput)")
    }

    @Test func anUnwritableAuditTrailRefusesNewJobsUntilItWorksAgain() throws {
        let setup = try Setup()
        let run = UUID().uuidString.prefix(8)
        // Jobs run as nobody: the marker goes where nobody may write.
        let marks = setup.auditDirectory + "/marks"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        chmod(setup.auditDirectory, 0o755)
        chmod(marks, 0o777)
        let marker = marks + "/ran-\(run)"
        #expect(try setup.post("fail.sh", id: "before-\(run)").status == 200)

        // "Disk full": the path now leads to /dev/full, and SIGHUP makes the launcher reopen it.
        #expect(rename(setup.auditPath, setup.auditPath + ".1") == 0)
        #expect(symlink("/dev/full", setup.auditPath) == 0)
        kill(setup.launcher.process!.processIdentifier, SIGHUP)
        let end = Date().addingTimeInterval(20)
        while !setup.launcher.log.contains("audit: cannot reopen") && Date() < end { usleep(20_000) }
        #expect(setup.launcher.log.contains("audit: cannot reopen"), "\(setup.launcher.log)")

        let refused = try setup.post("mark.sh", id: "refused-\(run)", body: #"{"args":["\#(marker)"]}"#)
        #expect(refused.status == 503, "\(refused)")
        #expect(refused.errorCode == "audit_unavailable", "\(refused)")
        #expect(refused.headers["retry-after"] == "5")
        #expect(!FileManager.default.fileExists(atPath: marker), "a job ran without an audit record")
        #expect(setup.launcher.log.contains("cannot record the start"))

        // Writable again: jobs run, and the trail verifies across both files.
        #expect(unlink(setup.auditPath) == 0)
        kill(setup.launcher.process!.processIdentifier, SIGHUP)
        let reopened = setup.waitForRecords { $0.contains { ($0["event"] as? String) == "reopened" } }
        #expect(reopened.contains { ($0["event"] as? String) == "reopened" })
        let after = try setup.post("mark.sh", id: "after-\(run)", body: #"{"args":["\#(marker)"]}"#)
        #expect(after.json?["return"] as? Int == 0, "\(after)")
        #expect(FileManager.default.fileExists(atPath: marker))
        let (status, output) = try runTool("httpexec", ["audit", "verify", setup.auditPath + ".1", setup.auditPath])
        #expect(status == 0, "\(output)")
    }

    @Test func serveWritesTheTrailNamedByAuditFile() throws {
        var template = Array("/tmp/httpexec-audit-serve-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/trail.log"
        let serve = try ServeFixture(arguments: ["--audit-file", path],
                                     extraFiles: ["ok.sh": ("#!/bin/sh\nexit 0\n", 0o755)])
        let response = try serve.request("POST", "/ok.sh", body: "{}", headers: [("X-Request-ID", "serve-audit-1")])
        #expect(response.status == 200, "\(response)")
        #expect(serve.stop() == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let events = text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(events == ["chain_start", "started", "finished"], "\(text)")
        #expect(text.contains("\"request_id\":\"serve-audit-1\""))
        let (status, output) = try runTool("httpexec", ["audit", "verify", path])
        #expect(status == 0, "\(output)")
    }

    /// A write the file takes only in part (here RLIMIT_FSIZE; a full disk alike) is cut back:
    /// no half record stays for the next one to be appended to, the trail still verifies, and
    /// the job it was for does not run.
    @Test func aRecordCutShortIsRemovedAndItsJobRefused() throws {
        var template = Array("/tmp/httpexec-audit-cut-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/audit.log"
        let launcher = try LauncherFixture(extraPolicy: """
            [audit]
            file = "\(path)"
            journal = "off"
            fsync = "always"
            """, start: false)
        try launcher.start()
        // From now on the file may grow by 256 bytes: room for less than a `started` record.
        // (Set on the running launcher: its start-up compiles seccomp filters through a memfd,
        // which the limit would cut too.)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        try #require(size > 200)
        let pid = try #require(launcher.process?.processIdentifier)
        let limit = "\(size + 256):\(size + 256)"
        let (limited, limitOutput) = try runProgram("/usr/bin/prlimit", ["--pid", String(pid), "--fsize=" + limit])
        try #require(limited == 0, "\(limitOutput)")
        let client = try LauncherClient.connected(launcher.socketPath)
        let outcome = try client.run(StartJob(requestID: "cut-short-1", command: "echo.sh", arguments: ["x"]))
        #expect(outcome.rejected?.code == "audit_unavailable", "\(outcome)")
        #expect(outcome.summary == nil, "the job ran")
        #expect(launcher.stop() == 0, "the launcher did not survive the file-size limit")

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "a partial record was left at the end")
        let events = text.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(events == ["chain_start"], "\(text)")
        let (status, output) = try runTool("httpexec", ["audit", "verify", path])
        #expect(status == 0, "\(output)")
    }

    @Test func aLauncherThatCannotOpenItsAuditFileDoesNotStart() throws {
        let launcher = try LauncherFixture(extraPolicy: """
            [audit]
            file = "/nonexistent-httpexec-dir/audit.log"
            """, start: false)
        let (status, output) = try runTool("httpexec-launcher", ["--policy", launcher.policyPath])
        #expect(status == 78)
        #expect(output.contains("audit: cannot open /nonexistent-httpexec-dir/audit.log"), "\(output)")
    }
}
