#!/usr/bin/env python3
"""Where publishing spends CPU (issue 17): client and server CPU per row, and the server's CPU per
statement, for one or more exhibit-labbench builds publishing the same grown case.

    python3 bench/lab_publish_cpu.py --exhibit .build/debug/exhibit \
        --labbench before=/tmp/old-labbench --labbench after=.build/release/exhibit-labbench \
        [--hashes 200000] [--messages 100000] [--rounds 2]

One throwaway PostgreSQL (as bench/lab_bench.py starts it) with log_statement_stats on; each
build gets a database of its own (its own `lab init`), and the builds publish the case in turn,
`--rounds` times each (re-publishing: a case's partitions are swapped). Client CPU = the labbench
process (user + sys); server CPU = every PostgreSQL process's (postmaster, its live children and
the children it reaped), before and after. The statement table sums the server's per-statement
CPU (`! … s user, … s system`) by statement kind. Wall time is shared with other work on this
machine: the load average is printed beside it.
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_bench import ROOT, grow, run, start_cluster  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def postgres_cpu(data_dir):
    """CPU seconds of the cluster: the postmaster (own + reaped children) and its live children."""
    with open(f"{data_dir}/postmaster.pid") as f:
        pm = int(f.readline())

    def stat(pid):
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return s[s.rindex(")") + 2:].split()   # fields from 3 (state) on

    fields = stat(pm)
    total = sum(int(x) for x in fields[11:15])   # utime stime cutime cstime
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == pm:
            continue
        try:
            f = stat(pid)
        except OSError:
            continue
        if int(f[1]) == pm:
            total += int(f[11]) + int(f[12])
    return total / TICK


def statement_cpu(log, start):
    """Server CPU per statement kind from log_statement_stats, for the log after byte `start`."""
    with open(log, errors="replace") as f:
        f.seek(start)
        lines = f.read().splitlines()
    out = defaultdict(float)
    pending = None
    for line in lines:
        m = re.search(r"!\s+([\d.]+) s user, ([\d.]+) s system", line)
        if m:
            pending = float(m.group(1)) + float(m.group(2))
            continue
        if pending is not None and "STATEMENT:" in line:
            sql = line.split("STATEMENT:", 1)[1].strip()
            out[kind(sql)] += pending
            pending = None
    return out


def kind(sql):
    s = re.sub(r"\d+", "N", sql)
    if s.startswith("COPY"):
        return "COPY " + s.split('"')[1].replace("_loadN", "")
    if s.startswith("CREATE INDEX"):
        if "gin" in s:
            return "CREATE INDEX (trigram GIN)"
        return "CREATE INDEX (b-tree)"
    if "PRIMARY KEY" in s:
        return "ADD PRIMARY KEY"
    if s.startswith("ANALYZE"):
        return "ANALYZE"
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exhibit", default=os.path.join(ROOT, ".build/debug/exhibit"))
    ap.add_argument("--labbench", action="append", required=True, help="NAME=PATH of an exhibit-labbench build")
    ap.add_argument("--hashes", type=int, default=200000)
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.labbench]
    tmp = tempfile.mkdtemp(prefix="exhibit-lab-cpu-")
    os.chmod(tmp, 0o755)
    pg = tempfile.mkdtemp(prefix="exhibit-lab-pg-")
    url, stop = start_cluster(pg, extra="-c log_statement_stats=on -c log_min_messages=log")
    results = []
    try:
        db = f"{tmp}/case.sqlite"
        run([args.exhibit, "ingest", f"{ROOT}/corpora/phone/android/android-ffs.tar", "--db", db, "--case", "BENCH",
             "--examiner", "bench", "--assume-tz", "Asia/Seoul", "--json"])
        grow(db, args.hashes, args.messages)
        base = url.split("/lab?")[0]
        for name, _ in builds:
            run(["psql", base + "/lab", "-qc", f"CREATE DATABASE {name}"])
        for r in range(args.rounds):
            for name, path in builds:
                env = dict(os.environ, EXHIBIT_LAB_URL=f"{base}/{name}?sslmode=disable")
                if r == 0:
                    run([path, "init"], env=env)
                log_start = os.path.getsize(f"{pg}/log")
                c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                s0 = postgres_cpu(f"{pg}/data")
                t0 = time.perf_counter()
                out = json.loads(run([path, "publish", db], env=env).stdout)
                wall = time.perf_counter() - t0
                s1 = postgres_cpu(f"{pg}/data")
                c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                time.sleep(0.5)   # the log collector writes the last statements
                client = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
                row = dict(build=name, round=r + 1, rows=out["rows"], seconds=round(out["seconds"], 2),
                           rows_per_s=round(out["rows"] / out["seconds"]), wall=round(wall, 2),
                           client_cpu=round(client, 2), server_cpu=round(s1 - s0, 2),
                           client_us_per_row=round(client / out["rows"] * 1e6, 2), server_us_per_row=round((s1 - s0) / out["rows"] * 1e6, 2),
                           load=round(os.getloadavg()[0], 1),
                           statements={k: round(v, 2) for k, v in sorted(statement_cpu(f"{pg}/log", log_start).items())})
                results.append(row)
                print(json.dumps(row), flush=True)
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(pg, ignore_errors=True)


if __name__ == "__main__":
    main()
