#ifndef EXHIBIT_CSECCOMP_SHIM_H
#define EXHIBIT_CSECCOMP_SHIM_H
// libseccomp, for the plugin sandbox's system-call filter (Sources/Engine/Plugins/PluginSandbox.swift).
#include <errno.h>
#include <seccomp.h>

/// SCMP_ACT_ERRNO(EPERM): the call fails with "Operation not permitted" instead of killing the plugin.
static inline uint32_t exhibit_seccomp_eperm(void) { return SCMP_ACT_ERRNO(EPERM); }
#endif
