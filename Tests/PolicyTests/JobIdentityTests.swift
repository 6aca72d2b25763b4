import Policy
import Sandbox
import Testing

@Suite("Run-as identity")
struct JobIdentityTests {
    let rootLauncher = SandboxCapabilities(uid: 0, gid: 0, canSwitchIdentity: true, seccomp: true, pidfd: true, kernel: "6.1")
    let plainLauncher = SandboxCapabilities(uid: 1234, gid: 1234, canSwitchIdentity: false, seccomp: true, pidfd: true, kernel: "6.1")

    @Test("a root launcher runs jobs as nobody/nogroup with no supplementary groups by default")
    func defaultsToNobody() throws {
        #expect(try JobIdentity.resolve(RunAsPolicy(), capabilities: rootLauncher) == .user(uid: 65534, gid: 65534, groups: []))
    }

    @Test("uid 0 needs the explicit switch")
    func rootNeedsSwitch() throws {
        #expect(throws: SandboxError.self) { try JobIdentity.resolve(RunAsPolicy(user: "root"), capabilities: rootLauncher) }
        #expect(try JobIdentity.resolve(RunAsPolicy(user: "root", allowRoot: true), capabilities: rootLauncher)
            == .user(uid: 0, gid: 0, groups: []))
    }

    @Test("a launcher that cannot switch users runs jobs as itself (single-uid mode)")
    func singleUid() throws {
        #expect(try JobIdentity.resolve(RunAsPolicy(), capabilities: plainLauncher) == .launcher)
    }

    @Test("...but refuses when the policy names another user: no silent downgrade")
    func refusesDowngrade() {
        do throws(SandboxError) {
            _ = try JobIdentity.resolve(RunAsPolicy(user: "nobody"), capabilities: plainLauncher)
            Issue.record("must refuse")
        } catch {
            #expect(error.code == .layerUnavailable)
        }
    }

    @Test("unknown users and groups are errors")
    func unknownNames() {
        #expect(throws: SandboxError.self) { try JobIdentity.resolve(RunAsPolicy(user: "no-such-user-xyz"), capabilities: rootLauncher) }
        #expect(throws: SandboxError.self) { try JobIdentity.resolve(RunAsPolicy(group: "no-such-group-xyz"), capabilities: rootLauncher) }
    }
}
