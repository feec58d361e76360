#!/usr/bin/env python3
"""`exhibit serve` latency on a large case (issue 16): starts the server on the synthetic case of
query_bench.py (generated at bench time, never committed), then times the pages' API calls with a
real HTTP client on loopback (Python's http.client, one keep-alive connection), 200 requests
each, and reads the server's peak RSS from /proc.

    python3 bench/serve_bench.py .build/debug/exhibit /tmp/bench-work [events] [messages]
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

import query_bench


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def rss_peak_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(exhibit, work, events=10_000_000, messages=1_000_000, n=200):
    db = query_bench.generate(exhibit, work, events, messages)
    out = os.path.join(work, "serve.out")
    proc = subprocess.Popen([exhibit, "serve", "--db", db, "--port", "0", "--reviewer", "bench",
                             "--review-db", os.path.join(work, "bench.review.sqlite")],
                            stdout=open(out, "w"), stderr=subprocess.DEVNULL)
    try:
        url = None
        for _ in range(600):
            text = open(out).read()
            if "http://" in text:
                url = text.split("http://", 1)[1].split()[0]
                break
            time.sleep(0.1)
        if url is None:
            raise SystemExit("exhibit serve printed no URL")
        host, port = url.split("/", 1)[0].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=120)

        def get(path):
            conn.request("GET", path, headers={"Host": f"{host}:{port}"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit(f"{path}: {r.status} {body[:200]!r}")
            return json.loads(body) if body[:1] in (b"{", b"[") else body

        first = get("/api/timeline?from=2025-06-01&limit=100")
        chats = get("/api/chats?limit=100")["rows"]
        chat = max(chats, key=lambda c: c["messages"])["id"]
        # A cursor deep in the timeline: the same page cost at event 10 and at event 9,000,000.
        deep = get("/api/timeline?from=2025-12-01&limit=100")["next"]
        cases = [
            ("timeline page, no filter", "/api/timeline?limit=100"),
            ("timeline page from 2025-06-01 (Seoul)", "/api/timeline?from=2025-06-01&limit=100"),
            ("timeline next page deep in the case", f"/api/timeline?limit=100&after={deep}"),
            ("timeline March 2025 + participant user1237", "/api/timeline?from=2025-03-01&to=2025-03-31&participant=user1237&limit=100"),
            ("timeline kind message.sent, chat 'room 77'", "/api/timeline?kind=message.sent&chat=room%2077&limit=100"),
            ("thread page (largest chat, 100 messages)", f"/api/chats/{chat}/messages?limit=100"),
            ("search 딥페이크 (first 100)", "/api/search?q=%EB%94%A5%ED%8E%98%EC%9D%B4%ED%81%AC&limit=100"),
            ("chat list (100 rooms)", "/api/chats?limit=100"),
            ("files page (100, *.jpg)", "/api/files?path=*.jpg&limit=100"),
            ("overview", "/api/overview"),
        ]
        assert first["rows"], "empty timeline"
        print(f"exhibit serve on {events:,} events / {messages:,} messages; {n} requests each, one keep-alive connection")
        print(f"{'request':48} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        results = []
        for name, path in cases:
            times = []
            for _ in range(n):
                t = time.perf_counter()
                get(path)
                times.append((time.perf_counter() - t) * 1000)
            results.append((name, statistics.median(times), percentile(times, 99), max(times)))
            print(f"{name:48} {results[-1][1]:8.1f} {results[-1][2]:8.1f} {results[-1][3]:8.1f}", flush=True)
        rss = rss_peak_mb(proc.pid)
        print(f"server peak RSS: {rss:.0f} MB")
        return {"rows": results, "rss": rss, "events": events, "messages": messages, "n": n}
    finally:
        proc.terminate()
        proc.wait()


def section(r, today, machine, cores):
    """The BENCHMARKS.md section (suite `serve` of run_bench.py)."""
    out = ["## Review application: `exhibit serve` on 10 M events", "",
           f"Measured {today} on {machine}, {cores} cores. Reproduce: `make bench` (or `python3 bench/run_bench.py "
           f"--suite serve`). The case is query_bench.py's ({r['events']:,} events, {r['messages']:,} messages); the "
           f"server runs on it and each API call the pages make is sent {r['n']} times over one keep-alive HTTP "
           "connection on loopback (Python's http.client). Goal (issue 16): p99 < 200 ms per page, RSS < 300 MB.", "",
           "| request | p50 | p99 | max |", "|---|---|---|---|"]
    for name, p50, p99, mx in r["rows"]:
        out.append(f"| {name} | {p50:.1f} ms | {p99:.1f} ms | {mx:.1f} ms |")
    out += ["", f"Server peak RSS (VmHWM): {r['rss']:.0f} MB.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    run(os.path.abspath(args[0]), args[1], *(int(a) for a in args[2:4]))
