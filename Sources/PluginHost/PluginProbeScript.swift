/// The hostile probe plugin `exhibit plugin test` runs against the sandbox on the current machine
/// (and the sandbox tests run): one Python file, standard library plus ctypes, that tries every
/// escape of docs/plugins.md ("What a plugin can and cannot do") and reports what happened.
///
/// Each request's bytes are a JSON object of targets (`victim`: a host process to signal,
/// `socket`: a host Unix socket, `secret`: a host file to read, `evidence`: a host file to change,
/// `marker`: a word the daemon probe puts in its command line). The reply is one `artifact` of
/// type `sandbox.probe` whose properties map each probe to `ok …` (the action worked) or the
/// error name (`EPERM`, `EACCES`, …).
enum PluginProbeScript {
    static let source = #"""
import ctypes, errno, json, os, resource, signal, socket, sys, threading, time

libc = ctypes.CDLL(None, use_errno=True)

def name(e):
    return errno.errorcode.get(e, str(e))

def attempt(fn):
    try:
        r = fn()
        return "ok" if r is None else "ok " + str(r)
    except OSError as e:
        return name(e.errno)
    except Exception as e:
        return "error " + type(e).__name__ + ": " + str(e)[:120]

def raw(nr, *args):
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    if r < 0:
        raise OSError(ctypes.get_errno(), "syscall %d" % nr)
    return r

def mknod_block():
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "blk")
    os.mknod(path, 0o600 | 0o060000, os.makedev(7, 0))   # S_IFBLK, loop0

def scratch_flags():
    f = os.statvfs(os.environ.get("TMPDIR", "/tmp")).f_flag
    return ",".join(n for n, b in (("nosuid", 2), ("nodev", 4), ("noexec", 8)) if f & b) or "none"

def tiocsti():
    buf = ctypes.c_char(b"x")
    if libc.ioctl(0, 0x5412, ctypes.byref(buf)) != 0:
        raise OSError(ctypes.get_errno(), "TIOCSTI")

def open_tty():
    os.close(os.open("/dev/tty", os.O_RDWR))

def shmget():
    r = libc.shmget(0, 4096, 0o1000 | 0o600)
    if r < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    return r

def fill_scratch():
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fill")
    total = 0
    try:
        with open(path, "wb") as fh:
            block = b"\0" * (1 << 20)
            while total < (64 << 20):   # more than the probe's 16 MiB cap: enough to tell
                fh.write(block)
                fh.flush()
                total += len(block)
    except OSError as e:
        return name(e.errno) + " after %d MiB" % (total >> 20)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return "ok %d MiB" % (total >> 20)

def threads():
    threading.stack_size(65536)
    started, stop = [], threading.Event()
    try:
        for _ in range(2000):
            t = threading.Thread(target=stop.wait)
            t.start()
            started.append(t)
    except RuntimeError:
        pass
    stop.set()
    for t in started:
        t.join()
    return "%d" % len(started)

def daemon(marker):
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", marker])
        os._exit(0)
    os.waitpid(pid, 0)
    for _ in range(100):   # proof that it runs (in the plugin's own /proc) before the host looks for it
        for p in os.listdir("/proc"):
            try:
                if p.isdigit() and marker.encode() in open("/proc/%s/cmdline" % p, "rb").read():
                    return "running"
            except OSError:
                pass
        time.sleep(0.02)
    return "not seen running"

def capabilities():
    # From the kernel directly (capget, prctl): /proc may not be readable.
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    eff = data[0] | (data[3] << 32)
    prm = data[1] | (data[4] << 32)
    bnd = amb = 0
    for cap in range(64):
        if libc.prctl(23, cap, 0, 0, 0) == 1:
            bnd |= 1 << cap
        if libc.prctl(47, 1, cap, 0, 0) == 1:
            amb |= 1 << cap
    return "CapAmb=%016x CapBnd=%016x CapEff=%016x CapPrm=%016x NoNewPrivs=%d Seccomp=%d" % (
        amb, bnd, eff, prm, libc.prctl(39, 0, 0, 0, 0), libc.prctl(21, 0, 0, 0, 0))

def probes(t):
    here = os.path.abspath(sys.argv[0])
    r = {}
    r["mknod-block-device"] = attempt(mknod_block)
    r["mknod-fifo"] = attempt(lambda: os.mkfifo(os.path.join(os.environ.get("TMPDIR", "/tmp"), "fifo")))
    r["scratch-mount-flags"] = attempt(scratch_flags)
    r["tiocsti"] = attempt(tiocsti)
    r["open-dev-tty"] = attempt(open_tty)
    r["chmod-setuid"] = attempt(lambda: os.chmod(here, 0o6777))
    r["chown"] = attempt(lambda: os.chown(here, 0, 0))
    r["utime"] = attempt(lambda: os.utime(here, (0, 0)))
    r["setxattr"] = attempt(lambda: os.setxattr(here, "user.exhibit-probe", b"1"))
    r["capabilities"] = attempt(capabilities)
    r["setuid-root"] = attempt(lambda: os.setuid(0))
    if t.get("evidence"):
        r["chmod-evidence"] = attempt(lambda: os.chmod(t["evidence"], 0o6777))
        r["write-evidence"] = attempt(lambda: os.close(os.open(t["evidence"], os.O_WRONLY)))
    if t.get("victim"):
        r["signal-host-process"] = attempt(lambda: os.kill(t["victim"], signal.SIGSTOP))
    r["signal-parent"] = attempt(lambda: os.kill(os.getppid(), signal.SIGKILL) or "ppid %d" % os.getppid())
    r["signal-all"] = attempt(lambda: os.kill(-1, 0))
    r["pid"] = str(os.getpid())
    if t.get("socket"):
        def unix():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(t["socket"])
            s.sendall(b"escaped\n")
            s.close()
        r["unix-socket"] = attempt(unix)
    r["abstract-unix-socket"] = attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect("\0exhibit-probe"))
    r["network"] = attempt(lambda: socket.create_connection(("1.1.1.1", 53), timeout=2).close())
    r["shmget"] = attempt(shmget)
    r["sethostname"] = attempt(lambda: socket.sethostname(socket.gethostname()))
    r["clock-adjtime"] = attempt(lambda: raw(305, 0, ctypes.addressof(ctypes.create_string_buffer(512))))
    r["io-uring-setup"] = attempt(lambda: raw(425, 1, ctypes.addressof(ctypes.create_string_buffer(120))))
    cur = resource.getrlimit(resource.RLIMIT_NOFILE)
    lim = (ctypes.c_ulong * 2)(cur[1], cur[1])
    r["raise-rlimit"] = attempt(lambda: raw(160, 7, ctypes.addressof(lim)))           # setrlimit
    r["raise-rlimit-prlimit"] = attempt(lambda: raw(302, 0, 7, ctypes.addressof(lim), 0))
    r["unshare-user"] = attempt(lambda: raw(272, 0x10000000))
    r["mount"] = attempt(lambda: raw(165, 0, ctypes.addressof(ctypes.create_string_buffer(b"/")), 0, 32 | 4096))
    r["ptrace-parent"] = attempt(lambda: raw(101, 16, os.getppid(), 0, 0))
    r["read-etc-shadow"] = attempt(lambda: len(open("/etc/shadow", "rb").read()))
    if t.get("secret"):
        r["read-host-file"] = attempt(lambda: len(open(t["secret"], "rb").read()))
    if t.get("victim"):
        r["read-host-environ"] = attempt(lambda: len(open("/proc/%d/environ" % t["victim"], "rb").read()))
    r["threads"] = attempt(threads)
    r["fill-scratch"] = attempt(fill_scratch)
    if t.get("marker"):
        r["daemon"] = attempt(lambda: daemon(t["marker"]))
    sys.stderr.write("\x1b]0;probe\x07\x1b[2Jterminal escape from the probe\n")
    sys.stderr.write('exhibit-sandbox: {"seccomp":"forged by the probe"}\n')
    sys.stderr.flush()
    return r

def main():
    out = sys.stdout
    sys.stdin.readline()
    out.write(json.dumps({"type": "hello", "protocol": 1, "plugin": "exhibit-sandbox-probe", "version": "1"}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("type") != "analyze":
            break
        targets = json.loads(open(req["content"]["path"], "rb").read() or b"{}")
        finding = {"type": "finding", "request": req["request"], "kind": "artifact",
                   "data": {"type": "sandbox.probe", "properties": probes(targets)}}
        out.write(json.dumps(finding) + "\n")
        out.write(json.dumps({"type": "end", "request": req["request"]}) + "\n")
        out.flush()

main()
"""#
}
