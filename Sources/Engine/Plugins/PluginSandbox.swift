internal import CSandbox
internal import CSeccomp
import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The confinement a plugin process runs under. Applied by `exhibit plugin exec` (a hidden
/// subcommand the host starts in place of the plugin) just before it execs the plugin, so the
/// plugin inherits every layer. Each layer is best effort and reported: what was enforced is
/// printed on the plugin's stderr as one `exhibit-sandbox: {json}` line, which the host reads.
///
/// Layers (docs/plugins.md, "Isolation"):
/// 1. rlimits: address space (RLIMIT_AS), CPU seconds (RLIMIT_CPU), no core files, file size.
/// 2. network namespace (`unshare(CLONE_NEWNET)`): no interface but a downed loopback.
/// 3. mount namespace: the protected paths (the evidence) bind-mounted read-only.
/// 4. Landlock: no write, create, remove or rename anywhere except the plugin's scratch folder.
/// 5. seccomp: system calls that could undo the layers above or reach outside (mount, unshare,
///    setns, ptrace, bpf, module loading, keyrings, reboot…) fail with EPERM.
public struct PluginSandbox: Sendable {
    /// The only folder the plugin may write (its TMPDIR and HOME).
    public var scratch: String
    /// Paths that must stay read-only even to root (the evidence items).
    public var protect: [String]
    /// RLIMIT_AS in MiB and RLIMIT_CPU in seconds (0 = no limit).
    public var memoryMB: Int
    public var cpuSeconds: Int

    /// The sandbox for one plugin process.
    public init(scratch: String, protect: [String], memoryMB: Int, cpuSeconds: Int) {
        self.scratch = scratch; self.protect = protect; self.memoryMB = memoryMB; self.cpuSeconds = cpuSeconds
    }

    /// Applies every layer to this process and returns what was enforced, layer by layer.
    public func enter() -> [String: String] {
        var report: [String: String] = [:]
        func limit(_ which: Int32, _ value: UInt64) -> Bool { exhibit_setrlimit(which, value) == 0 }
        _ = limit(2, 0)   // a crashing plugin writes no core file
        if memoryMB > 0 {
            report["memory"] = limit(0, UInt64(memoryMB) << 20) ? "RLIMIT_AS \(memoryMB) MiB" : "failed: \(Self.err())"
        } else { report["memory"] = "no limit (memory_mb 0)" }
        if cpuSeconds > 0 {
            report["cpu"] = limit(1, UInt64(cpuSeconds)) ? "RLIMIT_CPU \(cpuSeconds) s" : "failed: \(Self.err())"
        } else { report["cpu"] = "no limit (cpu_seconds 0)" }
        _ = limit(3, 4 << 30)

        report["network"] = exhibit_unshare(0) == 0 ? "network namespace (no interfaces)" : "not isolated: \(Self.err())"
        report["mounts"] = readOnlyMounts()
        report["landlock"] = landlock()
        report["seccomp"] = seccomp()
        return report
    }

    /// A private mount namespace in which every protected path is a read-only bind mount.
    private func readOnlyMounts() -> String {
        guard !protect.isEmpty else { return "no protected paths" }
        guard exhibit_unshare(1) == 0 else { return "not isolated: \(Self.err())" }
        // Private propagation first: nothing done here may leak back to the host's mounts.
        guard exhibit_mount_step(0, "/") == 0 else { return "not isolated: \(Self.err())" }
        var failed: [String] = []
        for p in protect {
            let ok = exhibit_mount_step(1, p) == 0 && exhibit_mount_step(2, p) == 0
            if !ok { failed.append("\(p): \(Self.err())") }
        }
        return failed.isEmpty ? "mount namespace, \(protect.count) evidence path(s) read-only" : "partly: \(failed.joined(separator: "; "))"
    }

    /// Landlock: handles every write-type right and grants them beneath the scratch folder (and
    /// on /dev/null) only. Reads stay allowed: the plugin reads its own code and the bytes.
    private func landlock() -> String {
        let abi = exhibit_landlock_abi()
        guard abi >= 1 else { return "unavailable (kernel without Landlock)" }
        var handled: UInt64 = 0
        // ABI 1: write, remove and make-* rights (bits 1, 4–12); ABI 2 adds REFER (13); ABI 3 TRUNCATE (14).
        handled |= UInt64(LANDLOCK_ACCESS_FS_WRITE_FILE) | UInt64(LANDLOCK_ACCESS_FS_REMOVE_DIR) | UInt64(LANDLOCK_ACCESS_FS_REMOVE_FILE)
        handled |= UInt64(LANDLOCK_ACCESS_FS_MAKE_CHAR) | UInt64(LANDLOCK_ACCESS_FS_MAKE_DIR) | UInt64(LANDLOCK_ACCESS_FS_MAKE_REG)
        handled |= UInt64(LANDLOCK_ACCESS_FS_MAKE_SOCK) | UInt64(LANDLOCK_ACCESS_FS_MAKE_FIFO) | UInt64(LANDLOCK_ACCESS_FS_MAKE_BLOCK)
        handled |= UInt64(LANDLOCK_ACCESS_FS_MAKE_SYM)
        if abi >= 2 { handled |= UInt64(1) << 13 }
        if abi >= 3 { handled |= UInt64(1) << 14 }
        let ruleset = exhibit_landlock_create(handled)
        guard ruleset >= 0 else { return "failed: \(Self.err())" }
        defer { close(ruleset) }
        let fileRights = UInt64(LANDLOCK_ACCESS_FS_WRITE_FILE) | (abi >= 3 ? UInt64(1) << 14 : 0)
        for (path, rights) in [(scratch, handled), ("/dev/null", fileRights)] {
            let fd = open(path, 0o10000000 | O_CLOEXEC)   // O_PATH (needs _GNU_SOURCE in C)
            guard fd >= 0 else { return "failed: cannot open \(path): \(Self.err())" }
            defer { close(fd) }
            guard exhibit_landlock_allow(ruleset, fd, rights) == 0 else { return "failed: rule for \(path): \(Self.err())" }
        }
        guard exhibit_no_new_privs() == 0, exhibit_landlock_restrict(ruleset) == 0 else { return "failed: \(Self.err())" }
        return "ABI \(abi): writes only beneath the scratch folder"
    }

    /// System calls a plugin never needs and that could undo the other layers (remount the
    /// evidence, re-enter the host's network namespace, trace the host) or reach the kernel's
    /// riskier interfaces. They fail with EPERM; everything else is allowed.
    static let deniedSyscalls = [
        "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "ptrace", "process_vm_readv",
        "process_vm_writev", "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
        "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct",
        "open_by_handle_at", "name_to_handle_at", "keyctl", "add_key", "request_key", "fsopen", "fsmount",
        "move_mount", "open_tree", "fsconfig", "mount_setattr", "settimeofday", "clock_settime", "adjtimex",
    ]

    /// Installs the seccomp filter (after Landlock, which it does not affect).
    private func seccomp() -> String {
        guard let ctx = seccomp_init(SCMP_ACT_ALLOW) else { return "unavailable (seccomp_init failed)" }
        defer { seccomp_release(ctx) }
        var missing: [String] = []
        for name in Self.deniedSyscalls {
            let nr = seccomp_syscall_resolve_name(name)
            guard nr != __NR_SCMP_ERROR else { missing.append(name); continue }
            if seccomp_rule_add_array(ctx, exhibit_seccomp_eperm(), nr, 0, nil) != 0 { missing.append(name) }
        }
        let rc = seccomp_load(ctx)
        guard rc == 0 else { return "failed: seccomp_load \(String(cString: strerror(-rc)))" }
        return "\(Self.deniedSyscalls.count - missing.count) system calls denied (mount, unshare, setns, ptrace, bpf, …)"
            + (missing.isEmpty ? "" : "; unknown here: \(missing.joined(separator: ", "))")
    }

    private static func err() -> String { String(cString: strerror(errno)) }

    /// Runs `argv` in `directory` as a child of this (confined) process, with TMPDIR and HOME
    /// pointing at the scratch folder, and stays as its guard: when the host process goes away
    /// (killed, crashed) the plugin is killed too instead of living on as an orphan; when the
    /// plugin ends, this process ends the same way (same exit code, or the same signal) so the host
    /// sees how the plugin died. Returns only on failure to start (with the reason).
    public func run(_ argv: [String], directory: String) -> String {
        guard chdir(directory) == 0 else { return "cannot enter \(directory): \(Self.err())" }
        setenv("TMPDIR", scratch, 1)
        setenv("HOME", scratch, 1)
        setenv("PYTHONDONTWRITEBYTECODE", "1", 1)
        setenv("PYTHONUNBUFFERED", "1", 1)
        let host = getppid()
        // Everything the child needs is allocated before fork: after fork, in a process that may
        // have other threads, the child only calls execvp and _exit.
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        guard let program = cArgs.first ?? nil else { return "no command" }
        let failure = Array("cannot run \(argv[0]) from \(directory): not found or not executable\n".utf8)
        let child = fork()
        if child == 0 {
            execvp(program, &cArgs)
            failure.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(127)
        }
        guard child > 0 else { return "cannot fork: \(Self.err())" }
        // The protocol pipes belong to the plugin alone: when it dies the host must see EOF at once.
        let null = open("/dev/null", O_RDWR)
        if null >= 0 { dup2(null, 0); dup2(null, 1); close(null) }
        var status: Int32 = 0
        while true {
            let r = waitpid(child, &status, WNOHANG)
            if r == child { break }
            if r < 0 && errno != EINTR { _exit(1) }
            if getppid() != host {
                kill(-getpgrp(), SIGKILL)
                _exit(137)
            }
            usleep(20_000)
        }
        let sig = status & 0x7f
        if sig != 0 {
            signal(sig, SIG_DFL)
            kill(getpid(), sig)
        }
        _exit((status >> 8) & 0xff)
    }
}
