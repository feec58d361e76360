#ifndef EXHIBIT_CSECCOMP_SHIM_H
#define EXHIBIT_CSECCOMP_SHIM_H
// libseccomp, for the plugin sandbox's system-call filter (Sources/Engine/Plugins/PluginSandbox.swift).
// The filter is an ALLOW LIST: every system call not named here fails with EPERM. It is written in
// C so the exact same list can be compiled into a small test program (docs/plugins.md).
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

/// SCMP_ACT_ERRNO(EPERM): the call fails with "Operation not permitted" instead of killing the plugin.
static inline uint32_t exhibit_seccomp_eperm(void) { return SCMP_ACT_ERRNO(EPERM); }

/// System calls a plugin may make without argument checks: I/O on its descriptors, files (the
/// other layers decide where), memory, threads, time, signals within its own namespace, waiting,
/// polling, sockets (AF_INET/AF_INET6 only, in an empty network namespace; see below).
/// Deliberately absent: mknod*, chmod/chown/utime/setxattr families, setrlimit (raising is denied;
/// prlimit64 is allowed only to read), io_uring_*, mount*/unshare/setns/pivot_root/chroot, ptrace,
/// process_vm_*, bpf, perf_event_open, userfaultfd, keyrings, module loading, kexec, reboot,
/// swapon/off, acct, clock/time setting (settimeofday, clock_settime, clock_adjtime, adjtimex),
/// sethostname/setdomainname, SysV IPC (shm*, msg*, sem*), POSIX message queues, setuid family,
/// capset, name_to_handle_at/open_by_handle_at, fanotify, quotactl, syslog, personality, vhangup.
static const char *const exhibit_seccomp_allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat", "lstat", "newfstatat",
    "statx", "statfs", "fstatfs", "lseek", "access", "faccessat", "faccessat2", "getdents", "getdents64",
    "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink",
    "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate",
    "ftruncate", "fallocate", "fsync", "fdatasync", "sync_file_range", "fadvise64", "readahead", "flock",
    "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "umask", "copy_file_range", "sendfile", "splice", "tee",
    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    "mmap", "munmap", "mprotect", "mremap", "madvise", "brk", "msync", "mincore", "membarrier",
    "memfd_create", "get_mempolicy",
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
    "getresgid", "getpgrp", "getpgid", "getsid", "setsid", "setpgid", "capget",
    "kill", "tgkill", "tkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigpending", "sigaltstack", "pause", "restart_syscall",
    "prctl", "arch_prctl", "set_tid_address", "set_robust_list", "get_robust_list", "futex", "futex_waitv",
    "rseq", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_getscheduler",
    "sched_get_priority_max", "sched_get_priority_min", "getcpu", "getpriority", "setpriority",
    "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time", "times",
    "getrusage", "getrlimit", "uname", "sysinfo", "getrandom",
    "alarm", "getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
    "timer_delete", "timerfd_create", "timerfd_settime", "timerfd_gettime", "eventfd", "eventfd2",
    "signalfd", "signalfd4", "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
    "connect", "bind", "listen", "accept", "accept4", "getsockname", "getpeername", "sendto", "recvfrom",
    "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "setsockopt", "getsockopt",
};

/// ioctl requests a plugin may make (isatty, sizes, non-blocking and close-on-exec flags, bytes
/// waiting). Everything else — TIOCSTI (typing into a terminal), TIOCLINUX, device ioctls — fails.
/// Compared on the low 32 bits, as the kernel reads the request.
static const unsigned long exhibit_seccomp_ioctls[] = {
    0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */, 0x540F /* TIOCGPGRP */, 0x541B /* FIONREAD */,
    0x5421 /* FIONBIO */, 0x5450 /* FIONCLEX */, 0x5451 /* FIOCLEX */,
};

/// Namespace flags a plugin may never pass to clone(2).
#define EXHIBIT_CLONE_NS_FLAGS 0x7E020080UL /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME */

/// Builds and loads the allow-list filter for the calling thread (and everything it execs).
/// Writes a one-line summary (or the failure) into `report`. Returns 0 on success.
static inline int exhibit_seccomp_install(char *report, size_t cap) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) { snprintf(report, cap, "unavailable (seccomp_init failed)"); return -1; }
    int n = 0, unknown = 0, rc = 0;
    for (size_t i = 0; i < sizeof(exhibit_seccomp_allowed) / sizeof(exhibit_seccomp_allowed[0]); i++) {
        int nr = seccomp_syscall_resolve_name(exhibit_seccomp_allowed[i]);
        if (nr == __NR_SCMP_ERROR) { unknown++; continue; }
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0) n++; else unknown++;
    }
    for (size_t i = 0; i < sizeof(exhibit_seccomp_ioctls) / sizeof(exhibit_seccomp_ioctls[0]); i++) {
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFUL, exhibit_seccomp_ioctls[i]));
    }
    // Sockets: only internet families (the network namespace has no usable interface) and local
    // socket pairs; socket(AF_UNIX) is refused so no host Unix socket (pathname or abstract) is reachable.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFUL, 2));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFUL, 10));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFUL, 1));
    // Limits may be read, never raised: prlimit64 only with a NULL new limit.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0));
    // Threads and processes, without new namespaces. clone3 hides its flags in memory the filter
    // cannot read: it fails with ENOSYS, and the C library falls back to clone.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, EXHIBIT_CLONE_NS_FLAGS, 0));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc != 0) { seccomp_release(ctx); snprintf(report, cap, "failed: a conditional rule was refused"); return -1; }
    rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) { snprintf(report, cap, "failed: seccomp_load %s", strerror(-rc)); return -1; }
    snprintf(report, cap, "allow list of %d system calls (+ ioctl, socket, prlimit64, clone with checked arguments); everything else EPERM", n);
    (void)unknown;
    return 0;
}
#endif
