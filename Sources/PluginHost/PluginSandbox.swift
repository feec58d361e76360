internal import CSandbox
import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The confinement a plugin process runs under, applied by `exhibit plugin exec` (a hidden
/// subcommand the host starts in place of the plugin, in a new session without a controlling
/// terminal). Three processes (docs/plugins.md, "What a plugin can and cannot do"):
///
/// - the **trampoline** (in the host's PID namespace): sets the rlimits, creates new network,
///   mount, PID, IPC and UTS namespaces, forks the guard, and mirrors how the plugin ended. It is
///   not visible from inside, so the plugin cannot signal or stop it; when the host dies it kills
///   the guard, and with it the whole namespace.
/// - the **guard** (PID 1 of the new PID namespace): makes every mount read-only, mounts a fresh
///   size-capped `nodev,nosuid,noexec` tmpfs on the scratch folder and a fresh /proc, then
///   confines itself (Landlock read and write rules, no capabilities, `no_new_privs`, seccomp
///   allow list), reports what was enforced, and forks the plugin. As PID 1 it ignores every
///   signal the plugin sends it. When the plugin ends the guard exits, and the kernel kills every
///   process left in the namespace (daemons, double forks).
/// - the **plugin**, exec'd by the guard's child, inheriting every layer.
///
/// Each layer is best effort and reported: the guard prints one `exhibit-sandbox: {json}` line on
/// stderr before the plugin starts, the first line the host reads (later lines are the plugin's).
public struct PluginSandbox: Sendable {
    /// The only folder the plugin may write (its TMPDIR and HOME).
    public var scratch: String
    /// Paths that must stay read-only even to root (the evidence items).
    public var protect: [String]
    /// Extra paths the plugin may read (the exchange folder holding the copies of the bytes).
    public var readable: [String]
    /// RLIMIT_AS in MiB and RLIMIT_CPU in seconds (0 = no limit).
    public var memoryMB: Int
    public var cpuSeconds: Int
    /// Size cap of the scratch tmpfs in MiB.
    public var scratchMB: Int
    /// Most tasks (processes and threads) in the plugin's PID namespace.
    public var maxTasks: Int

    /// The sandbox for one plugin process.
    public init(scratch: String, protect: [String], readable: [String] = [], memoryMB: Int, cpuSeconds: Int,
                scratchMB: Int = 512, maxTasks: Int = 512) {
        self.scratch = scratch; self.protect = protect; self.readable = readable; self.memoryMB = memoryMB
        self.cpuSeconds = cpuSeconds; self.scratchMB = scratchMB; self.maxTasks = maxTasks
    }

    static func err() -> String { String(cString: strerror(errno)) }

    /// Runs `argv` in `directory` under every layer (see the type's comment). Never returns on
    /// success: this process ends the way the plugin ended (same exit code, or the same signal), so
    /// the host sees how the plugin died. Returns only on failure to start (with the reason).
    public func run(_ argv: [String], directory: String) -> String {
        var report: [String: String] = [:]
        setLimits(&report)
        let namespaces = enterNamespaces(&report)
        let host = getppid()
        // The guard writes the plugin's wait status here before it exits.
        var statusPipe: [Int32] = [0, 0]
        guard exhibit_pipe_cloexec(&statusPipe) == 0 else { return "cannot create a pipe: \(Self.err())" }
        // Everything the guard and the plugin need is allocated before fork: the trampoline has a
        // single thread, and after fork each child only calls what it needs.
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        guard let program = cArgs.first ?? nil else { return "no command" }
        let trampoline = getpid()
        let guardPID = fork()
        if guardPID == 0 {
            close(statusPipe[0])
            _ = exhibit_parent_death_signal(SIGKILL)
            // Already orphaned before the death signal was set? (0: the parent is outside the new PID namespace.)
            let parent = getppid()
            if parent != trampoline && parent != 0 { _exit(137) }
            guardAndExec(program: program, args: &cArgs, argv: argv, directory: directory, namespaces: namespaces,
                         report: report, statusFD: statusPipe[1])
        }
        close(statusPipe[1])
        guard guardPID > 0 else { return "cannot fork: \(Self.err())" }
        // The protocol pipes belong to the plugin alone: when it dies the host must see EOF at once.
        let null = open("/dev/null", O_RDWR)
        if null >= 0 { dup2(null, 0); dup2(null, 1); close(null) }
        var status: Int32 = 0
        while true {
            let r = waitpid(guardPID, &status, WNOHANG)
            if r == guardPID { break }
            if r < 0 && errno != EINTR { _exit(1) }
            if getppid() != host {
                // The host is gone (killed, crashed): end the guard, and the kernel ends the namespace.
                kill(guardPID, SIGKILL)
                kill(-getpgrp(), SIGKILL)
                _exit(137)
            }
            usleep(20_000)
        }
        var plugin: Int32 = 0
        if read(statusPipe[0], &plugin, 4) == 4 { status = plugin }
        let sig = status & 0x7f
        if sig != 0 {
            signal(sig, SIG_DFL)
            kill(getpid(), sig)
        }
        _exit((status >> 8) & 0xff)
    }

    /// The guard: confines itself, reports, forks the plugin and waits for it (reaping any orphan
    /// the namespace hands it), then passes the plugin's status to the trampoline and exits.
    private func guardAndExec(program: UnsafeMutablePointer<CChar>, args: inout [UnsafeMutablePointer<CChar>?],
                              argv: [String], directory: String, namespaces: Namespaces,
                              report base: [String: String], statusFD: Int32) -> Never {
        var report = base
        var privateProc = false
        report["mounts"] = namespaces.mount ? privateMounts(pid: namespaces.pid, report: &report, privateProc: &privateProc)
            : "not isolated (no mount namespace)"
        let grants = readGrants(argv: argv, directory: directory, procIsPrivate: privateProc)
        if !namespaces.mount { report["scratch"] = "a plain folder on the host (no mount namespace): no size cap, not nodev" }
        if !namespaces.pid { report["processes"] = report["processes"] ?? "not isolated: no PID namespace" }
        let chdirOK = chdir(directory) == 0
        let chdirError = Self.err()
        report["landlock"] = landlock(grants: grants, networkIsolated: namespaces.network)
        report["capabilities"] = dropCapabilities()
        report["seccomp"] = seccomp()
        report["terminal"] = "new session without a controlling terminal; stdin, stdout and stderr are pipes"
        if let data = try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]) {
            FileHandle.standardError.write(Data("exhibit-sandbox: ".utf8) + data + Data("\n".utf8))
        }
        guard chdirOK else {
            let text = Array("plugin exec: cannot enter \(directory): \(chdirError)\n".utf8)
            text.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(127)
        }
        setenv("TMPDIR", scratch, 1)
        setenv("HOME", scratch, 1)
        setenv("PYTHONDONTWRITEBYTECODE", "1", 1)
        setenv("PYTHONUNBUFFERED", "1", 1)
        let failure = Array("cannot run \(argv[0]) from \(directory): not found or not executable\n".utf8)
        let child = fork()
        if child == 0 {
            execvp(program, &args)
            failure.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(127)
        }
        if child < 0 { _exit(126) }
        let null = open("/dev/null", O_RDWR)
        if null >= 0 { dup2(null, 0); dup2(null, 1); close(null) }
        var status: Int32 = 0
        while true {
            var s: Int32 = 0
            let r = waitpid(-1, &s, 0)
            if r == child { status = s; break }
            if r < 0 && errno != EINTR { break }
        }
        _ = withUnsafeBytes(of: &status) { write(statusFD, $0.baseAddress, 4) }
        _exit(0)
    }

    /// rlimits: address space, CPU, no core files, file size; RLIMIT_NPROC for a non-root user
    /// (the kernel does not apply it to uid 0: there the PID namespace's pid_max caps tasks).
    private func setLimits(_ report: inout [String: String]) {
        func limit(_ which: Int32, _ value: UInt64) -> Bool { exhibit_setrlimit(which, value) == 0 }
        _ = limit(2, 0)   // a crashing plugin writes no core file
        if memoryMB > 0 {
            report["memory"] = limit(0, UInt64(memoryMB) << 20) ? "RLIMIT_AS \(memoryMB) MiB" : "failed: \(Self.err())"
        } else { report["memory"] = "no limit (memory_mb 0)" }
        if cpuSeconds > 0 {
            report["cpu"] = limit(1, UInt64(cpuSeconds)) ? "RLIMIT_CPU \(cpuSeconds) s" : "failed: \(Self.err())"
        } else { report["cpu"] = "no limit (cpu_seconds 0)" }
        _ = limit(3, 4 << 30)   // 4 GiB per file; the scratch tmpfs has its own cap
        if geteuid() != 0 {
            // Counted over all of this user's tasks: what runs now plus the plugin's allowance.
            let now = Self.tasksOfUser(getuid())
            report["nproc"] = limit(4, UInt64(now + maxTasks)) ? "RLIMIT_NPROC \(now + maxTasks) (this user's \(now) tasks + \(maxTasks))" : "failed: \(Self.err())"
        }
    }

    /// Tasks (threads) the user runs now, from /proc.
    static func tasksOfUser(_ uid: uid_t) -> Int {
        var count = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(name) != nil {
            var st = stat()
            guard stat("/proc/\(name)", &st) == 0, st.st_uid == uid else { continue }
            count += ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(name)/task")) ?? []).count
        }
        return count
    }

    /// Which namespaces the trampoline entered.
    struct Namespaces { var network = false, mount = false, pid = false, ipc = false, uts = false }

    /// Enters new network, mount, PID, IPC and UTS namespaces (each tried alone when all at once fail).
    private func enterNamespaces(_ report: inout [String: String]) -> Namespaces {
        var ns = Namespaces()
        let all = (0...4).reduce(UInt(0)) { $0 | exhibit_ns_flag(Int32($1)) }
        var entered: [Bool]
        let uid = getuid(), gid = getgid()
        if geteuid() != 0 {
            // Not root: a user namespace of its own first (where the kernel allows unprivileged
            // ones) gives the trampoline the right to create the others; the uid maps to itself.
            if exhibit_unshare_flags(all | 0x1000_0000 /* CLONE_NEWUSER */) == 0 {
                let mapped = Self.writeFile("/proc/self/setgroups", "deny") && Self.writeFile("/proc/self/uid_map", "\(uid) \(uid) 1\n")
                    && Self.writeFile("/proc/self/gid_map", "\(gid) \(gid) 1\n")
                report["user"] = mapped ? "own user namespace (not root: needed for the namespaces below; uid \(uid) maps to itself)"
                    : "own user namespace, but the uid map failed: \(Self.err())"
                ns.network = true; ns.mount = true; ns.pid = true; ns.ipc = true; ns.uts = true
                Self.describe(ns, into: &report)
                return ns
            }
            report["user"] = "no user namespace (\(Self.err())): the kernel forbids unprivileged ones"
        }
        if exhibit_unshare_flags(all) == 0 {
            entered = [true, true, true, true, true]
        } else {
            entered = (0...4).map { exhibit_unshare_flags(exhibit_ns_flag(Int32($0))) == 0 }
        }
        ns.network = entered[0]; ns.mount = entered[1]; ns.pid = entered[2]; ns.ipc = entered[3]; ns.uts = entered[4]
        Self.describe(ns, into: &report)
        return ns
    }

    /// Writes `text` to an existing file (the uid and gid maps); true on success.
    static func writeFile(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withCString { write(fd, $0, strlen($0)) } == text.utf8.count
    }

    /// The namespace lines of the report.
    static func describe(_ ns: Namespaces, into report: inout [String: String]) {
        let why = "not isolated (needs root, CAP_SYS_ADMIN or unprivileged user namespaces)"
        report["network"] = ns.network ? "network namespace (no interfaces)" : why
        report["pid"] = ns.pid ? "own PID namespace: sees and signals only its own processes; all killed when the plugin ends" : why
        report["ipc"] = ns.ipc ? "own IPC namespace (System V IPC and POSIX queues die with it)" : why
        report["uts"] = ns.uts ? "own UTS namespace (host and domain name)" : why
    }
}
