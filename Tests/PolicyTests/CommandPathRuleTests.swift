import Policy
import Testing

/// The launcher's rule for request paths, judged on bytes as the kernel reads them.
@Suite struct CommandPathRuleTests {
    @Test("refused, also when a combining mark follows the slash", arguments: [
        "/x", "/\u{301}x", "/\u{5BA}", "a/../\u{301}b", "a/..", "../\u{301}", "a//b", "a/./b", "a/", "",
    ])
    func refused(_ path: String) {
        #expect(PolicyNameRules.commandPathProblem(path) != nil, "\(path.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("accepted", arguments: ["x", "tools/é", "tools/e\u{301}", "a/\u{301}b", "a.b/..c", "..a"])
    func accepted(_ path: String) {
        #expect(PolicyNameRules.commandPathProblem(path) == nil)
    }
}
