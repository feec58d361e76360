#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol over --remote-debugging-pipe (no
websocket, no extra package): opens URL, waits until the page sets body[data-ready="1"], runs
SCRIPT (an async JavaScript expression) in the page and prints its JSON result. Used by
Tests/ReviewTests to click through `exhibit serve`'s pages.

    cdp_drive.py CHROMIUM PROFILE_DIR URL SCRIPT [SCRIPT...]

With several scripts, every script but the last is expected to navigate (submit a form that
changes the address): before the next one runs, the driver waits until a new page has loaded
and set data-ready. The result of the last script is printed.
"""
import json
import os
import subprocess
import sys
import time

chromium, profile, url = sys.argv[1:4]
scripts = sys.argv[4:]
# Chromium reads commands on fd 3 and writes replies on fd 4, each a JSON text ended by NUL.
to_child_r, to_child_w = os.pipe()
from_child_r, from_child_w = os.pipe()
os.set_inheritable(to_child_r, True)
os.set_inheritable(from_child_w, True)


def setup():
    os.dup2(to_child_r, 3)
    os.dup2(from_child_w, 4)


proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
                        preexec_fn=setup, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_child_r)
os.close(from_child_w)
pending = b""
counter = 0


def call(method, params=None, session=None):
    global pending, counter
    counter += 1
    msg = {"id": counter, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    os.write(to_child_w, json.dumps(msg).encode() + b"\0")
    while True:
        while b"\0" not in pending:
            chunk = os.read(from_child_r, 65536)
            if not chunk:
                raise SystemExit("chromium closed the pipe")
            pending += chunk
        line, pending = pending.split(b"\0", 1)
        reply = json.loads(line)
        if reply.get("id") == counter:
            if "error" in reply:
                raise SystemExit(f"{method}: {reply['error']}")
            return reply["result"]


def evaluate(session, expression):
    r = call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session)
    if "exceptionDetails" in r:
        raise SystemExit(f"script failed: {json.dumps(r['exceptionDetails'])[:2000]}")
    return r["result"].get("value")


try:
    target = call("Target.createTarget", {"url": url})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    result = None
    for script in scripts:
        # A page the previous script left carries the mark; wait for a fresh, ready one.
        for _ in range(400):
            try:
                if evaluate(session, "document.body && !window.__cdpSeen && document.body.dataset.ready") == "1":
                    break
            except SystemExit:
                pass  # the context was replaced while navigating: ask again
            time.sleep(0.05)
        else:
            raise SystemExit("the page never set data-ready")
        evaluate(session, "window.__cdpSeen = true")
        result = evaluate(session, script)
    print(json.dumps(result, ensure_ascii=False))
finally:
    proc.terminate()
    proc.wait()
