import CSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension EngineLoop {
    /// Creates the job's pipes, runs the C child, and registers the job for supervision.
    func spawn(id: UInt64, job: PreparedJob, observer: any JobObserver) {
        let spec = job.spec
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        func cleanup() {
            for fd in parentEnds + childEnds { close(fd) }
        }
        /// A pipe whose parent end is non-blocking; both ends above fd 2.
        func makePipe(parentReads: Bool) -> (parent: Int32, child: Int32)? {
            var fds: [Int32] = [-1, -1]
            guard hx_pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
            for i in 0..<2 where fds[i] < 3 {
                let moved = hx_dup_above(fds[i], 3)
                close(fds[i])
                fds[i] = moved
            }
            let (parent, child) = parentReads ? (fds[0], fds[1]) : (fds[1], fds[0])
            parentEnds.append(parent)
            childEnds.append(child)
            guard parent >= 0, child >= 0 else { return nil }
            _ = hx_set_nonblocking(parent)
            return (parent, child)
        }
        func fail(_ error: SandboxError) {
            cleanup()
            observer.jobFinished(.failure(error))
        }

        var stdio: (stdin: Int32, stdout: Int32, stderr: Int32) = (-1, -1, -1)
        var childStdio: [Int32] = [devNullRead, devNullWrite, devNullWrite]
        if spec.stdin != .null {
            guard let p = makePipe(parentReads: false) else {
                return fail(SandboxError(.resources, errno: errno, "cannot create the stdin pipe"))
            }
            stdio.stdin = p.parent
            childStdio[0] = p.child
        }
        if case .capture = spec.stdout {
            guard let p = makePipe(parentReads: true) else {
                return fail(SandboxError(.resources, errno: errno, "cannot create the stdout pipe"))
            }
            stdio.stdout = p.parent
            childStdio[1] = p.child
        }
        if case .capture = spec.stderr {
            guard let p = makePipe(parentReads: true) else {
                return fail(SandboxError(.resources, errno: errno, "cannot create the stderr pipe"))
            }
            stdio.stderr = p.parent
            childStdio[2] = p.child
        }

        var result = hx_spawn_result()
        let startedAt = ContinuousClock.now
        JobRegistry.shared.beginSpawn()
        let rc: Int32 = job.rlimits.withUnsafeBufferPointer { limits in
            job.groups.withUnsafeBufferPointer { groups in
                withBPF(spec.seccomp) { bpf, bpfLength in
                    var plan = hx_spawn_plan()
                    plan.argv = UnsafePointer(job.argv)
                    plan.envp = UnsafePointer(job.envp)
                    plan.exe_fd = spec.executable.fd
                    plan.exe_is_script = spec.executable.isScript ? 1 : 0
                    plan.stdio_fds = (childStdio[0], childStdio[1], childStdio[2])
                    plan.workdir_fd = job.workdirFd
                    plan.rlimits = limits.baseAddress
                    plan.rlimit_count = UInt32(limits.count)
                    if case .user(let uid, let gid, _) = spec.identity {
                        plan.change_ids = 1
                        plan.uid = uid
                        plan.gid = gid
                    }
                    plan.groups = groups.baseAddress
                    plan.group_count = UInt32(groups.count)
                    plan.set_pdeathsig = 1
                    plan.expected_parent = launcherPid
                    plan.no_new_privs = 1
                    plan.bpf = bpf
                    plan.bpf_len = bpfLength
                    plan.seccomp_flags = spec.seccomp?.flags ?? 0
                    plan.fault_step = job.faultStep
                    return hx_spawn(&plan, stack, Int(HX_SPAWN_STACK_SIZE), &result)
                }
            }
        }
        JobRegistry.shared.endSpawn(registering: rc == 0 ? result.pid : nil)
        for fd in childEnds { close(fd) }
        childEnds = []
        guard rc == 0 else {
            let code = SandboxError.Code.forStep(result.step)
            return fail(SandboxError(code, errno: result.error, "the job could not be started (\(code))"))
        }

        let running = RunningJob(
            id: id, job: job, observer: observer, pid: result.pid, pidfd: result.pidfd, stdio: stdio,
            startedAt: startedAt, forceFinishAfter: options.forceFinishAfter)
        jobs[id] = running
        activeCount.wrappingAdd(1, ordering: .relaxed)
        observer.jobStarted(pid: result.pid)
        watch(result.pidfd, slot: .pidfd, of: running, events: UInt32(HX_EPOLLIN))
        if stdio.stdout >= 0 { watch(stdio.stdout, slot: .stdout, of: running, events: UInt32(HX_EPOLLIN)) }
        if stdio.stderr >= 0 { watch(stdio.stderr, slot: .stderr, of: running, events: UInt32(HX_EPOLLIN)) }
        if stdio.stdin >= 0 { running.flushStdin(loop: self) }
    }

    private func withBPF<R>(_ filter: CompiledSeccompFilter?, _ body: (UnsafeRawPointer?, UInt16) -> R) -> R {
        guard let filter else { return body(nil, 0) }
        return filter.program.withUnsafeBytes { body($0.baseAddress, UInt16(filter.instructionCount)) }
    }
}
