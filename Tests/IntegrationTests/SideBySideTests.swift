import Foundation
import Testing

/// The drop-in promise, measured: `Tests/compat/side_by_side.py` runs the original httpexec 1.0.4
/// (from PyPI, under hypercorn) and our `httpexec serve` on the same exec roots and sends both the
/// original README's examples, its upstream test cases and more correct requests; statuses and
/// bodies must be identical except the documented, hardened differences (which it checks too).
/// The virtualenv lives in `.build/compat-venv`; the script creates it when missing (PyPI).
@Suite struct SideBySideTests {
    @Test func sameAnswersAsTheOriginal() throws {
        let (status, output) = try runPython([
            repositoryRoot + "/Tests/compat/side_by_side.py", "--ours", buildDirectory,
            "--venv", repositoryRoot + "/.build/compat-venv",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains(" 0 failures"), "\(output)")
    }
}
