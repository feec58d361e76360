internal import CSandbox
internal import CSeccomp
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The guard's layers: mounts, Landlock, capabilities, seccomp (see ``PluginSandbox``).
extension PluginSandbox {
    /// Read-only views of the host: every mount read-only and nosuid, the scratch folder a fresh
    /// capped tmpfs (`nodev,nosuid,noexec`), /proc a fresh mount of the plugin's PID namespace.
    func privateMounts(pid: Bool, report: inout [String: String], privateProc: inout Bool) -> String {
        // Private propagation first: nothing done here may leak back to the host's mounts.
        guard exhibit_mount_step(0, "/") == 0 else { return "not isolated: \(Self.err())" }
        var text: String
        if exhibit_mount_all_readonly() == 0 {
            text = "mount namespace: every host mount read-only and nosuid (the evidence, the case database, /tmp, …)"
        } else {
            // Kernels before 5.12 have no recursive mount_setattr: the evidence paths alone.
            let why = Self.err()
            var failed: [String] = []
            for p in protect where !(exhibit_mount_step(1, p) == 0 && exhibit_mount_step(2, p) == 0) {
                failed.append("\(p): \(Self.err())")
            }
            text = "mount namespace: \(protect.count) evidence path(s) read-only (whole tree not: \(why))"
            if !failed.isEmpty { text += "; failed: \(failed.joined(separator: "; "))" }
        }
        let bytes = UInt64(max(scratchMB, 1)) << 20
        report["scratch"] = exhibit_mount_scratch(scratch, bytes, 65_536) == 0
            ? "fresh tmpfs of \(scratchMB) MiB, 65536 files, nodev,nosuid,noexec; gone when the plugin ends"
            : "a plain folder (tmpfs failed: \(Self.err())): no size cap, not nodev"
        if pid {
            if exhibit_mount_proc(0) == 0 {
                privateProc = true
                // Linux 6.14+: pid_max is per PID namespace, which caps processes plus threads.
                let limit = "\(max(maxTasks, 301))\n"
                let fd = open("/proc/sys/kernel/pid_max", O_WRONLY | O_CLOEXEC)
                let ok = fd >= 0 && limit.withCString { write(fd, $0, strlen($0)) } > 0
                if fd >= 0 { close(fd) }
                report["processes"] = ok ? "at most \(max(maxTasks, 301)) tasks (pid_max of its PID namespace)"
                    : "no task cap (this kernel's pid_max is not per namespace)"
                text += exhibit_mount_proc(1) == 0 ? "; /proc shows only the plugin's processes (read-only)"
                    : "; /proc shows only the plugin's processes (remount read-only failed: \(Self.err()))"
            } else {
                text += "; /proc not remounted (\(Self.err()))"
            }
        }
        return text
    }

    /// A path the plugin may read (and execute, for code), or write (scratch, /dev/null).
    struct Grant { var path: String; var rights: Rights }
    enum Rights { case code, read, write, device }

    /// What the plugin may read: system code and libraries, a few /etc files (never /etc/shadow),
    /// its own folder, the folder of its interpreter, the exchange folder, scratch, /proc when private.
    func readGrants(argv: [String], directory: String, procIsPrivate: Bool) -> [Grant] {
        var g: [Grant] = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/opt", directory]
            .map { Grant(path: $0, rights: .code) }
        // The interpreter or program (python3 from pyenv, a toolchain under /home): its folder and the one above.
        if let exe = Self.resolve(argv.first ?? "", in: directory) {
            let real = URL(fileURLWithPath: exe).resolvingSymlinksInPath().path
            for p in [exe, real] {
                let bin = (p as NSString).deletingLastPathComponent, top = (bin as NSString).deletingLastPathComponent
                for d in [bin, top] where d != "/" && !d.isEmpty { g.append(Grant(path: d, rights: .code)) }
            }
        }
        g += ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf",
              "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/mime.types", "/etc/ssl", "/etc/alternatives",
              "/sys/devices/system/cpu", "/dev/zero", "/dev/urandom", "/dev/random"].map { Grant(path: $0, rights: .read) }
        g += readable.map { Grant(path: $0, rights: .read) }
        if procIsPrivate { g.append(Grant(path: "/proc", rights: .read)) }
        g.append(Grant(path: "/dev/null", rights: .device))
        g.append(Grant(path: scratch, rights: .write))
        return g
    }

    /// argv[0] as execvp finds it (a path with `/` is relative to the plugin folder).
    static func resolve(_ name: String, in directory: String) -> String? {
        if name.contains("/") { return name.hasPrefix("/") ? name : directory + "/" + name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    /// Landlock: every file-system right is handled; reads and execution are granted on the
    /// grants only, writes beneath scratch (and /dev/null) only. ABI 4+: no TCP when the network
    /// namespace failed. ABI 6+: no signals to, and no abstract Unix sockets of, processes outside.
    func landlock(grants: [Grant], networkIsolated: Bool) -> String {
        let abi = exhibit_landlock_abi()
        guard abi >= 1 else { return "unavailable (kernel without Landlock)" }
        let execute: UInt64 = 1 << 0, writeFile: UInt64 = 1 << 1, readFile: UInt64 = 1 << 2, readDir: UInt64 = 1 << 3
        var handled: UInt64 = (1 << 13) - 1                  // ABI 1: bits 0–12
        if abi >= 2 { handled |= 1 << 13 }                   // REFER
        if abi >= 3 { handled |= 1 << 14 }                   // TRUNCATE
        if abi >= 5 { handled |= 1 << 15 }                   // IOCTL_DEV
        let fileOnly: UInt64 = execute | writeFile | readFile | (abi >= 3 ? 1 << 14 : 0) | (abi >= 5 ? 1 << 15 : 0)
        let net: UInt64 = (abi >= 4 && !networkIsolated) ? 3 : 0   // BIND_TCP | CONNECT_TCP, no rule: all denied
        let scoped: UInt64 = abi >= 6 ? 3 : 0                        // ABSTRACT_UNIX_SOCKET | SIGNAL
        let ruleset = exhibit_landlock_create_v(handled, net, scoped, abi)
        guard ruleset >= 0 else { return "failed: \(Self.err())" }
        defer { close(ruleset) }
        var granted = 0
        for g in grants {
            let fd = open(g.path, 0o10000000 | O_CLOEXEC)   // O_PATH (needs _GNU_SOURCE in C)
            guard fd >= 0 else { continue }                  // absent on this machine (/lib32, /opt)
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { continue }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            var rights: UInt64
            switch g.rights {
            case .code: rights = execute | readFile | readDir
            case .read: rights = readFile | readDir
            case .device: rights = readFile | writeFile | (abi >= 3 ? 1 << 14 : 0)
            case .write: rights = handled & ~(abi >= 5 ? UInt64(1) << 15 : 0) & ~execute & ~(1 << 6 | 1 << 11)   // no devices
            }
            if !isDir { rights &= fileOnly }
            rights &= handled
            guard exhibit_landlock_allow(ruleset, fd, rights) == 0 else { return "failed: rule for \(g.path): \(Self.err())" }
            granted += 1
        }
        guard exhibit_no_new_privs() == 0, exhibit_landlock_restrict(ruleset) == 0 else { return "failed: \(Self.err())" }
        var text = "ABI \(abi): reads only of system code and libraries, the plugin's folder, its interpreter's folder and the bytes it is given (\(granted) rules); writes only beneath scratch; no execution from scratch"
        if net != 0 { text += "; no TCP (ABI 4)" }
        text += scoped != 0 ? "; no signals or abstract Unix sockets outside the sandbox (ABI 6)" : "; signal scoping needs ABI 6"
        return text
    }

    /// No capabilities at all (bounding, ambient, effective, permitted, inheritable), securebits
    /// locked so uid 0 regains none at exec.
    func dropCapabilities() -> String {
        _ = exhibit_no_new_privs()
        let failed = exhibit_drop_capabilities()
        let left = exhibit_effective_capabilities()
        if failed == 0 && left == 0 { return "none (bounding and ambient sets empty, securebits locked), no_new_privs" }
        if geteuid() != 0 && left == 0 { return "none (not root; no_new_privs: no exec can gain any)" }
        return "partly dropped (\(failed) step(s) failed; effective mask \(String(left, radix: 16))), no_new_privs"
    }

    /// Loads the seccomp allow list (Sources/CSeccomp/shim.h).
    func seccomp() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        _ = exhibit_seccomp_install(&buf, buf.count)
        return String(cString: buf)
    }
}
