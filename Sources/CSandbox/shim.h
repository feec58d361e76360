#ifndef EXHIBIT_CSANDBOX_SHIM_H
#define EXHIBIT_CSANDBOX_SHIM_H
// Linux confinement for external analyzer plugins: Landlock, no_new_privs, namespaces, rlimits;
// and the ingest supervisor's shared entry page (a sealed memfd, Sources/Engine/EntryPage.swift).
// Only thin wrappers over variadic calls (syscall, prctl, fcntl) that Swift cannot call directly.
// No _GNU_SOURCE here: it would make these system headers differ from Glibc's module. The
// Linux-only calls go through syscall() with constants from the kernel's uapi headers.
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/wait.h>


/// pipe2(O_CLOEXEC): both ends close on exec, so no other child inherits them.
static inline int exhibit_pipe_cloexec(int fds[2]) { return (int)syscall(SYS_pipe2, fds, O_CLOEXEC); }

/// unshare(2) with the given CLONE_NEW* flags (see `exhibit_ns_flag`); 0 on success.
static inline int exhibit_unshare_flags(unsigned long flags) { return (int)syscall(SYS_unshare, flags); }

/// CLONE_NEW* flag for: 0 network, 1 mount, 2 PID, 3 IPC, 4 UTS.
static inline unsigned long exhibit_ns_flag(int which) {
    switch (which) {
    case 0: return CLONE_NEWNET;
    case 1: return CLONE_NEWNS;
    case 2: return CLONE_NEWPID;
    case 3: return CLONE_NEWIPC;
    default: return CLONE_NEWUTS;
    }
}

/// unshare(2) with CLONE_NEWNET (which = 0) or CLONE_NEWNS (which = 1); 0 on success.
static inline int exhibit_unshare(int which) {
    return (int)syscall(SYS_unshare, which == 0 ? CLONE_NEWNET : CLONE_NEWNS);
}

/// mount(2) pieces for a read-only bind: 0 private recursive "/", 1 bind `path` onto itself,
/// 2 remount that bind read-only. 0 on success.
static inline int exhibit_mount_step(int step, const char *path) {
    switch (step) {
    case 0: return mount(0, "/", 0, MS_REC | MS_PRIVATE, 0);
    case 1: return mount(path, path, 0, MS_BIND | MS_REC, 0);
    default: return mount(0, path, 0, MS_BIND | MS_REMOUNT | MS_RDONLY, 0);
    }
}

/// Makes every mount of this (private) mount namespace read-only and nosuid, recursively
/// (mount_setattr, Linux 5.12+). 0 on success; -1 with errno otherwise.
static inline int exhibit_mount_all_readonly(void) {
    struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = { 0x1 /* RDONLY */ | 0x2 /* NOSUID */, 0, 0, 0 };
    return (int)syscall(442 /* mount_setattr */, -100 /* AT_FDCWD */, "/", 0x8000 /* AT_RECURSIVE */, &attr, sizeof(attr));
}

/// A read-only, noatime view of the folder open at `dirfd`: a detached clone of its mount tree
/// (open_tree OPEN_TREE_CLONE|AT_RECURSIVE, so mounts below it come along) made read-only and
/// noatime recursively (mount_setattr; Linux 5.12+, needs CAP_SYS_ADMIN). Nothing read through
/// it can write to the evidence, not even an atime (reading a symlink's target updates the
/// link's atime otherwise, whatever the open flags). Returns an O_PATH descriptor of the view's
/// root (the mount goes away when it is closed), or -1 with errno.
static inline int exhibit_readonly_view(int dirfd) {
    int fd = (int)syscall(428 /* open_tree */, dirfd, "", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC | 0x1000 /* AT_EMPTY_PATH */ | 0x8000 /* AT_RECURSIVE */);
    if (fd < 0) return -1;
    struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = {
        0x1 /* RDONLY */ | 0x2 /* NOSUID */ | 0x4 /* NODEV */ | 0x8 /* NOEXEC */ | 0x10 /* NOATIME */, 0x70 /* _ATIME */, 0, 0 };
    if (syscall(442 /* mount_setattr */, fd, "", 0x1000 /* AT_EMPTY_PATH */ | 0x8000 /* AT_RECURSIVE */, &attr, sizeof(attr)) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/// The same view without CAP_SYS_ADMIN (an examiner who is not root), where the kernel allows
/// unprivileged user namespaces: a forked child enters a user namespace and a mount namespace of
/// its own (where it may clone mounts), opens `path` there (a descriptor opened before names a
/// mount of the old namespace, which open_tree refuses), clones its mount tree and makes it
/// read-only, nosuid, nodev and noexec recursively, and hands the descriptor back over a socket
/// pair (SCM_RIGHTS). Not noatime: the atime setting of mounts inherited from a more privileged
/// namespace is locked; none is needed, as the kernel updates no atime through a read-only mount
/// (touch_atime takes write access to the mount first). The child runs only raw system calls
/// (the caller may have threads). Returns the view's root (O_PATH) or -1 with errno; the caller
/// checks it is the folder it opened (device and inode).
static inline int exhibit_readonly_view_userns(const char *path) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(sv[0]); close(sv[1]); errno = e; return -1; }
    if (pid == 0) {
        close(sv[0]);
        int fd = -1, err = 0;
        if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            err = errno;
        } else {
            int dir = open(path, 010000000 /* O_PATH */ | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            fd = dir < 0 ? -1 : (int)syscall(428 /* open_tree */, dir, "", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC | 0x1000 /* AT_EMPTY_PATH */ | 0x8000 /* AT_RECURSIVE */);
            if (fd < 0) {
                err = errno;
            } else {
                struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = {
                    0x1 /* RDONLY */ | 0x2 /* NOSUID */ | 0x4 /* NODEV */ | 0x8 /* NOEXEC */, 0, 0, 0 };
                if (syscall(442 /* mount_setattr */, fd, "", 0x1000 /* AT_EMPTY_PATH */ | 0x8000 /* AT_RECURSIVE */, &attr, sizeof(attr)) != 0) {
                    err = errno; fd = -1;
                }
            }
        }
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        memset(&control, 0, sizeof(control));
        struct iovec io = { &err, sizeof(err) };
        struct msghdr m;
        memset(&m, 0, sizeof(m));
        m.msg_iov = &io; m.msg_iovlen = 1;
        if (fd >= 0) {
            m.msg_control = control.buf; m.msg_controllen = sizeof(control.buf);
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        (void)sendmsg(sv[1], &m, MSG_NOSIGNAL);
        _exit(0);
    }
    close(sv[1]);
    int err = 0, fd = -1;
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct iovec io = { &err, sizeof(err) };
    struct msghdr m;
    memset(&m, 0, sizeof(m));
    m.msg_iov = &io; m.msg_iovlen = 1; m.msg_control = control.buf; m.msg_controllen = sizeof(control.buf);
    ssize_t n;
    do { n = recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : 0;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof(int));
    close(sv[0]);
    while (waitpid(pid, 0, 0) < 0 && errno == EINTR) {}
    if (fd < 0) { errno = err ? err : EIO; return -1; }
    return fd;
}

/// A fresh tmpfs on `path`: nodev, nosuid, noexec, mode 0700, at most `bytes` bytes and
/// `inodes` files. 0 on success.
static inline int exhibit_mount_scratch(const char *path, unsigned long long bytes, unsigned long long inodes) {
    char opts[96];
    snprintf(opts, sizeof(opts), "size=%llu,nr_inodes=%llu,mode=0700", bytes, inodes);
    return mount("exhibit-scratch", path, "tmpfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, opts);
}

/// A fresh /proc for the calling process's PID namespace (step 0), then made read-only (step 1,
/// after the guard has set the namespace's pid_max). 0 on success.
static inline int exhibit_mount_proc(int step) {
    if (step == 0) return mount("proc", "/proc", "proc", MS_NODEV | MS_NOSUID | MS_NOEXEC, 0);
    return mount(0, "/proc", 0, MS_REMOUNT | MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_RDONLY, 0);
}

/// Drops every capability: the bounding set (so no exec can regain one, even as root), the
/// ambient set, then effective/permitted/inheritable; locks securebits so uid 0 is not special.
/// Returns the number of steps that failed (0 = all dropped).
static inline int exhibit_drop_capabilities(void) {
    int failed = 0;
    // SECBIT_NOROOT etc. need CAP_SETPCAP: first, while it is still held.
    if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
              SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
              SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) != 0 && errno != EPERM) failed++;
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) { failed++; break; }
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    if (syscall(SYS_capset, &h, d) != 0) failed++;
    return failed;
}

/// The calling process's effective capability mask (0 = none), or -1.
static inline long long exhibit_effective_capabilities(void) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0) return -1;
    return (long long)d[0].effective | ((long long)d[1].effective << 32);
}

/// PR_SET_PDEATHSIG: the kernel sends `sig` to this process when its parent dies.
static inline int exhibit_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }

/// A raw system call for the sandbox probes (`exhibit plugin probe`): the result, or -errno.
static inline long exhibit_probe_syscall(long nr, long a, long b, long c, long d) {
    long r = syscall(nr, a, b, c, d);
    return r < 0 ? -errno : r;
}

/// Highest Landlock ABI the kernel offers, or a negative value (errno) when Landlock is absent.
static inline long exhibit_landlock_abi(void) {
#ifdef SYS_landlock_create_ruleset
    return syscall(SYS_landlock_create_ruleset, (void *)0, 0, LANDLOCK_CREATE_RULESET_VERSION);
#else
    return -1;
#endif
}

/// A ruleset handling the given file-system rights; returns its fd or -1.
static inline int exhibit_landlock_create(uint64_t handled_fs) {
    struct landlock_ruleset_attr attr = {0};
    attr.handled_access_fs = handled_fs;
    return (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr.handled_access_fs), 0);
}

/// A ruleset for ABI 4+ (network rights) and 6+ (scopes: abstract Unix sockets, signals).
static inline int exhibit_landlock_create_v(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped, long abi) {
    struct { uint64_t fs, net, scoped; } attr = { handled_fs, handled_net, scoped };
    size_t size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
    return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

/// Allows `allowed` beneath the file or directory open at `parent_fd`; 0 on success.
static inline int exhibit_landlock_allow(int ruleset_fd, int parent_fd, uint64_t allowed) {
    struct landlock_path_beneath_attr rule = {0};
    rule.allowed_access = allowed;
    rule.parent_fd = parent_fd;
    return (int)syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
}

/// Confines the calling thread (and what it execs) to the ruleset; 0 on success.
static inline int exhibit_landlock_restrict(int ruleset_fd) {
    return (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
}

/// PR_SET_NO_NEW_PRIVS: exec can never gain privileges (required by Landlock without CAP_SYS_ADMIN).
static inline int exhibit_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }


/// setrlimit on one of: 0 address space, 1 CPU seconds, 2 core size, 3 file size, 4 processes (soft = hard).
static inline int exhibit_setrlimit(int which, unsigned long long value) {
    struct rlimit r = { (rlim_t)value, (rlim_t)value };
    switch (which) {
    case 0: return setrlimit(RLIMIT_AS, &r);
    case 1: return setrlimit(RLIMIT_CPU, &r);
    case 2: return setrlimit(RLIMIT_CORE, &r);
    case 4: return setrlimit(RLIMIT_NPROC, &r);
    default: return setrlimit(RLIMIT_FSIZE, &r);
    }
}

/// memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING): an anonymous file that exists only while
/// a descriptor or a mapping holds it (nothing on any file system); -1 with errno otherwise.
static inline int exhibit_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, 0x0001U | 0x0002U); }

/// Seals a memfd's size: no shrink, no grow, no further seals (F_ADD_SEALS with F_SEAL_SHRINK |
/// F_SEAL_GROW | F_SEAL_SEAL); 0 on success.
static inline int exhibit_seal_size(int fd) { return fcntl(fd, 1033 /* F_ADD_SEALS */, 0x0002 | 0x0004 | 0x0001); }

/// 1 when `fd` is a memfd whose size is sealed as `exhibit_seal_size` does, else 0. A regular
/// file (or a tmpfs file not made by memfd_create) never is, so a wrong descriptor is refused.
static inline int exhibit_is_size_sealed(int fd) {
    int seals = fcntl(fd, 1034 /* F_GET_SEALS */);
    return seals >= 0 && (seals & 0x0006) == 0x0006;
}

#endif
