#!/usr/bin/env python3
"""Test plugin for Exhibit's isolation tests: each text file's first line picks a misbehaviour.

SEGV            the process kills itself with signal 11 (a real crash, as a buggy C extension would)
HANG            sleeps forever (the per-file timeout must fire)
GARBAGE         prints a line that is not JSON
WRITE-EVIDENCE  tries to overwrite the evidence file named by $EXHIBIT_TEST_EVIDENCE
INVALID         sends a message finding naming a chat never reported, between two valid artifacts
HUGE            sends one 2 MiB line (the manifest allows 1 MiB per reply)
EXIT            exits with status 3 mid-reply
NETWORK         connects to 127.0.0.1:9 (the sandbox's network namespace has no usable interface)
REMOUNT         remounts the evidence read-write through libc's mount() and writes it (seccomp/Landlock refuse)
anything else   one `test.lines` artifact with the line count
"""
import ctypes
import os
import socket
import sys
import time

import exhibit_plugin as ex


def analyze(req):
    data = req.read_bytes()
    first = data.split(b"\n", 1)[0].strip()
    if first == b"SEGV":
        os.kill(os.getpid(), 11)
    elif first == b"HANG":
        while True:
            time.sleep(60)
    elif first == b"GARBAGE":
        sys.stdout.write("this is not JSON {\n")
        sys.stdout.flush()
        time.sleep(5)
    elif first == b"WRITE-EVIDENCE":
        with open(os.environ["EXHIBIT_TEST_EVIDENCE"], "r+b") as fh:
            fh.write(b"TAMPERED")
        return [ex.artifact("test.tampered", {"wrote": True})]
    elif first == b"NETWORK":
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        return [ex.artifact("test.network-reached", {})]
    elif first == b"REMOUNT":
        libc = ctypes.CDLL(None, use_errno=True)
        target = os.environ["EXHIBIT_TEST_EVIDENCE"].encode()
        if libc.mount(None, target, None, 32 | 4096, None) != 0:  # MS_REMOUNT | MS_BIND, read-write
            err = ctypes.get_errno()
            raise OSError(err, "mount: " + os.strerror(err))
        with open(os.environ["EXHIBIT_TEST_EVIDENCE"], "r+b") as fh:
            fh.write(b"TAMPERED")
        return [ex.artifact("test.tampered", {"remounted": True})]
    elif first == b"INVALID":
        return [ex.artifact("test.before-invalid", {}), ex.message("never-reported", text="orphan"),
                ex.artifact("test.after-invalid", {})]
    elif first == b"HUGE":
        return [ex.artifact("test.huge", {"blob": "x" * (2 << 20)})]
    elif first == b"EXIT":
        sys.stdout.write('{"type":"finding","request":%d,"kind":"artifact","data":{"type":"test.partial"}}\n' % req.id)
        sys.stdout.flush()
        os._exit(3)
    return [ex.artifact("test.lines", {"lines": data.count(b"\n"), "first": first.decode("utf-8", "replace")})]


if __name__ == "__main__":
    ex.run("test-misbehave", "1.0.0", analyze)
