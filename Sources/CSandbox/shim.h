#ifndef EXHIBIT_CSANDBOX_SHIM_H
#define EXHIBIT_CSANDBOX_SHIM_H
// Linux confinement for external analyzer plugins: Landlock, no_new_privs, namespaces, rlimits.
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


/// pipe2(O_CLOEXEC): both ends close on exec, so no other child inherits them.
static inline int exhibit_pipe_cloexec(int fds[2]) { return (int)syscall(SYS_pipe2, fds, O_CLOEXEC); }

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


/// setrlimit on one of: 0 address space, 1 CPU seconds, 2 core size, 3 file size (soft = hard).
static inline int exhibit_setrlimit(int which, unsigned long long value) {
    struct rlimit r = { (rlim_t)value, (rlim_t)value };
    switch (which) {
    case 0: return setrlimit(RLIMIT_AS, &r);
    case 1: return setrlimit(RLIMIT_CPU, &r);
    case 2: return setrlimit(RLIMIT_CORE, &r);
    default: return setrlimit(RLIMIT_FSIZE, &r);
    }
}

#endif
