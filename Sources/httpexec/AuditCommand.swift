import ArgumentParser
import Audit

/// `httpexec audit verify FILE...`: checks the launcher's audit trail against its hash chain.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Work with the launcher's audit trail.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the hash chain of audit files; report the first broken line.",
            discussion: """
                Give rotated files oldest first (audit.log.2 audit.log.1 audit.log): they are checked \
                as one trail, including the links between them. Exit status: 0 when the chain holds, \
                1 when it breaks (the line is printed as FILE:LINE: reason), 2 on usage errors.
                """)

        @Argument(help: "Audit files, oldest first.")
        var files: [String]

        func run() throws {
            let report = AuditVerifier.verify(files: files)
            if let problem = report.problem {
                print("BROKEN \(problem)")
                print("\(report.records) record(s) verified before it")
                throw ExitCode(1)
            }
            print("OK \(report.records) record(s), \(report.launcherStarts) launcher start(s)")
            if let anchor = report.continuesFrom {
                print("continues an earlier file whose last record hash is \(anchor)")
            }
            if let last = report.lastHash { print("last record hash \(last)") }
        }
    }
}
