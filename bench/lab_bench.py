#!/usr/bin/env python3
"""Lab index benchmark (issue 17), on a throwaway PostgreSQL started here: publish rows/s and
`spread --pdq` latency over many lab-wide PDQ hashes (in one process with exhibit-labbench, and
end to end with the CLI), then items/hour and messages/s published by 1, 2 and 3 `lab worker`s.

    python3 bench/lab_bench.py --exhibit .build/release/exhibit --labbench .build/release/exhibit-labbench \
        [--hashes 100000,1000000] [--messages 100000] [--worker-items 6] [--out docs/BENCHMARKS.md]

The case is the committed Android extraction (corpora/phone/android) ingested by exhibit, then
grown in a copy with Python's sqlite3: synthetic files (random SHA-256), PDQ rows (random hashes,
quality 100) and messages, each a copy of a real row with its keys changed. Prints a Markdown table.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, user=None, **kw):
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def start_cluster(tmp, extra=""):
    versions = sorted((int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit()), reverse=True)
    bin_dir = f"/usr/lib/postgresql/{versions[0]}/bin"
    user = None
    if os.getuid() == 0:
        user = "postgres"
        shutil.chown(tmp, user)
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    run([f"{bin_dir}/initdb", "-D", f"{tmp}/data", "-U", "lab", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], user)
    run([f"{bin_dir}/pg_ctl", "-D", f"{tmp}/data", "-l", f"{tmp}/log", "-w", "-o",
         f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB {extra}", "start"], user)
    run([f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "lab", "lab"], user)
    stop = lambda: subprocess.run((["runuser", "-u", user, "--"] if user else []) +
                                  [f"{bin_dir}/pg_ctl", "-D", f"{tmp}/data", "-m", "immediate", "stop"], capture_output=True)
    return f"postgres://lab@127.0.0.1:{port}/lab?sslmode=disable", stop


def grow(db, n_files, n_messages, seed=17):
    """Adds synthetic rows to a copy of a real case database, each a copy of a real row."""
    import sqlite3
    rnd = random.Random(seed)
    c = sqlite3.connect(db)
    c.execute("PRAGMA foreign_keys=OFF")

    def cols(t):
        return [r[1] for r in c.execute(f"PRAGMA table_info({t})")]

    fcols = [x for x in cols("files") if x != "id"]
    tmpl = dict(zip(fcols, c.execute(f"SELECT {','.join(fcols)} FROM files WHERE kind='file' ORDER BY id LIMIT 1").fetchone()))
    hcols = [x for x in cols("media_hashes") if x != "id"]
    htmpl = dict(zip(hcols, c.execute(f"SELECT {','.join(hcols)} FROM media_hashes ORDER BY id LIMIT 1").fetchone()))
    next_id = c.execute("SELECT max(id) FROM files").fetchone()[0] + 1
    frows, hrows = [], []
    for i in range(n_files):
        r = dict(tmpl)
        r["entry_key"] = f"9{i}"
        r["sort_key"] = f"{9000000000 + i:010d}"
        r["path"] = f"synthetic/{i}.jpg"
        r["sha256"] = "%064x" % rnd.getrandbits(256)
        frows.append([r[k] for k in fcols])
        h = dict(htmpl)
        h["file_id"] = next_id + i
        h["hash"] = "%064x" % rnd.getrandbits(256)
        h["variants"] = None
        hrows.append([h[k] for k in hcols])
    c.executemany(f"INSERT INTO files (id,{','.join(fcols)}) VALUES ({','.join('?' * (len(fcols) + 1))})",
                  [[next_id + i] + r for i, r in enumerate(frows)])
    c.executemany(f"INSERT INTO media_hashes ({','.join(hcols)}) VALUES ({','.join('?' * len(hcols))})", hrows)
    mcols = [x for x in cols("messages") if x != "id"]
    mt = dict(zip(mcols, c.execute(f"SELECT {','.join(mcols)} FROM messages ORDER BY id LIMIT 1").fetchone()))
    base = c.execute("SELECT max(sequence) FROM messages").fetchone()[0] + 1
    words = "사진 영상 합성 유포 대화 evidence photo room sender deepfake".split()
    mrows = []
    for i in range(n_messages):
        m = dict(mt)
        m["sequence"] = base + i
        m["text"] = " ".join(rnd.choice(words) for _ in range(8))
        m["text_nfc"] = None
        mrows.append([m[k] for k in mcols])
    c.executemany(f"INSERT INTO messages ({','.join(mcols)}) VALUES ({','.join('?' * len(mcols))})", mrows)
    c.commit()
    c.close()


QUERY = "64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"


def publish_and_spread(args, env, url, base, tmp):
    """Rows for the publish/spread table: one case per size, grown from the real one."""
    ex = args.exhibit
    rows = []
    for i, n in enumerate(int(x) for x in args.hashes.split(",") if x):
        db = f"{tmp}/case{i}.sqlite"
        shutil.copy(base, db)
        grow(db, n, args.messages)
        import sqlite3
        c = sqlite3.connect(db)
        c.execute("UPDATE cases SET name = ?", (f"BENCH-{n}",))   # one lab case per size
        c.commit()
        c.close()
        if args.labbench:
            out = json.loads(run([args.labbench, "publish", db], env=env).stdout)
            published, dt = out["rows"], out["seconds"]
            pdq_rows = out["tables"].get("lab_pdq", 0)
        else:
            t0 = time.perf_counter()
            out = run([ex, "lab", "publish", "--json", db], env=env).stdout
            dt = time.perf_counter() - t0
            published = sum(json.loads(out)[0]["rows"].values())
            pdq_rows = json.loads(out)[0]["rows"].get("lab_pdq", 0)
        cli = []
        for _ in range(5):
            t1 = time.perf_counter()
            subprocess.run([ex, "lab", "spread", "--pdq", "--json", QUERY], env=env, capture_output=True)
            cli.append(time.perf_counter() - t1)
        inproc = json.loads(run([args.labbench, "spread", QUERY, "10"], env=env).stdout)["ms"] if args.labbench else []
        rows.append((n, published, pdq_rows, dt, statistics.median(cli) * 1000,
                     statistics.median(inproc) if inproc else None, spread_sql_ms(url, QUERY)))
        print(rows[-1], file=sys.stderr)
    return rows


def workers(args, pg_url_base, tmp):
    """Items/hour and messages/s published by W workers draining the same queue (W = 1, 2, 3)."""
    ex = args.exhibit
    items = [f"{ROOT}/corpora/phone/android/android-ffs.tar", f"{ROOT}/corpora/sample-case/pc-export.tar.gz"]
    out = []
    for w in (1, 2, 3):
        dbname = f"w{w}"
        run(["psql", pg_url_base + "/lab", "-qc", f"CREATE DATABASE {dbname}"])
        url = f"{pg_url_base}/{dbname}?sslmode=disable"
        env = dict(os.environ, EXHIBIT_LAB_URL=url)
        run([ex, "lab", "init"], env=env)
        cases = f"{tmp}/cases-{w}"
        os.makedirs(cases)
        for k in range(args.worker_items):
            # One item per case, so that workers can run in parallel (a case's items are serial).
            run([ex, "lab", "submit", "--case", f"W{k}", "--examiner", "bench", "--assume-tz", "Asia/Seoul", items[k % 2]], env=env)
        import resource
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        procs = [subprocess.Popen([ex, "lab", "worker", "--cases-dir", cases, "--exit-when-idle", "--poll-seconds", "0.2"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(w)]
        for p in procs:
            p.wait()
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime   # the workers and the ingests they reaped
        counts = run(["psql", pg_url_base + "/" + dbname, "-Atc",
                      "SELECT (SELECT count(*) FROM lab_jobs WHERE state = 'done'), (SELECT count(*) FROM lab_messages)"]).stdout.strip().split("|")
        done, messages = int(counts[0]), int(counts[1])
        out.append((w, done, dt, done / dt * 3600, messages / dt, cpu, os.getloadavg()[0]))
        print(out[-1], file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exhibit", default=os.path.join(ROOT, ".build/release/exhibit"))
    ap.add_argument("--labbench", default=None, help="exhibit-labbench: publish and spread timed in one process")
    ap.add_argument("--hashes", default="100000,1000000", help="lab-wide PDQ hash counts to measure spread over")
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--worker-items", type=int, default=6, help="items in the queue for the 1/2/3-worker runs (0: skip)")
    ap.add_argument("--out", default=None, help="rewrite the `lab` section of this BENCHMARKS.md")
    ap.add_argument("--note", default="", help="a sentence added to the section (which builds were measured)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="exhibit-lab-bench-")
    os.chmod(tmp, 0o755)
    pg = tempfile.mkdtemp(prefix="exhibit-lab-pg-")
    url, stop = start_cluster(pg)
    env = dict(os.environ, EXHIBIT_LAB_URL=url)
    ex = args.exhibit
    try:
        base = f"{tmp}/base.sqlite"
        for name, algo, f in [("demo-known-pdq", "pdq", "pdq.txt"), ("demo-known-sha256", "sha256", "sha256.txt")]:
            run([ex, "hashset", "import", "--db", base, "--name", name, "--kind", "known-bad", "--algorithm", algo,
                 f"{ROOT}/corpora/sample-case/known-bad/{f}"])
        run([ex, "ingest", f"{ROOT}/corpora/phone/android/android-ffs.tar", "--db", base, "--case", "BENCH", "--examiner", "bench",
             "--assume-tz", "Asia/Seoul", "--json"])
        run([ex, "lab", "init"], env=env)
        ps = publish_and_spread(args, env, url, base, tmp)
        ws = workers(args, url.split("/lab?")[0], tmp) if args.worker_items > 0 else []
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(pg, ignore_errors=True)
    import platform
    lines = ["## Lab index on PostgreSQL: publish, spread, workers (issue 17)", "",
             f"bench/lab_bench.py on a throwaway PostgreSQL {pg_version()} (fsync off, shared_buffers 512 MB) on this machine "
             f"({platform.machine()}, {os.cpu_count()} cores, shared with other work). The case is the Android extraction "
             "(corpora/phone/android) grown with synthetic PDQ rows (random hashes) and messages; publish = one transaction of "
             "COPY (small tables in place; files, PDQ hashes and messages into a new per-case partition, indexed after the load and "
             "attached), then ANALYZE. Goals (issue 17): publish ≥ 100,000 rows/s, "
             "spread by PDQ < 100 ms." + (" " + args.note if args.note else ""), "",
             "| lab-wide PDQ hashes | rows published | of which lab_pdq | publish s | rows/s | spread --pdq, CLI (median of 5) | in process (median of 10) | query only (EXPLAIN ANALYZE, best of 5) |",
             "|---|---|---|---|---|---|---|---|"]
    for n, rows, pdq, dt, cli, inproc, sql in ps:
        lines.append(f"| {n:,} | {rows:,} | {pdq:,} | {dt:.1f} | {rows / dt:,.0f} | {cli:.0f} ms | "
                     + (f"{inproc:.1f} ms" if inproc is not None else "–") + f" | {sql:.1f} ms |")
    if ws:
        lines += ["", f"Workers: {args.worker_items} items (one per case: the Android extraction and the PC export, alternately) "
                  "drained by W `lab worker` processes on this one machine (ingest, verify, publish each).", "",
                  "| workers | items done | wall s | items/hour | messages/s published | CPU s (workers + ingests) | CPU s per item | load (1 min) |",
                  "|---|---|---|---|---|---|---|---|"]
        for w, done, dt, iph, mps, cpu, load in ws:
            lines.append(f"| {w} | {done} | {dt:.1f} | {iph:,.0f} | {mps:,.1f} | {cpu:.1f} | {cpu / max(done, 1):.2f} | {load:.1f} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from run_bench import write_section
        write_section(args.out, "lab", text)


def pg_version():
    try:
        words = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.split()
        return words[2] if len(words) > 2 else "?"   # psql (PostgreSQL) 15.18 (Debian …)
    except Exception:
        return "?"


# The probe keys of LabIndex (Sources/LabIndex/PDQKeys.swift, migration v6-pdq-keys): the 256 bits
# cut into 3 keys of 24 bits and 8 of 23, each an expression over the 16-bit chunk columns.
KEY_WIDTHS = [24] * 3 + [23] * 8


def key_expression(k, prefix=""):
    """Key k as LabIndex spells it (the index and the probe must match)."""
    start = sum(KEY_WIDTHS[:k])
    end = start + KEY_WIDTHS[k]
    pieces = []
    for col in range(start // 16, (end - 1) // 16 + 1):
        lo, hi = max(start, 16 * col), min(end, 16 * col + 16)
        piece = f"{prefix}c{col}"
        if hi < 16 * col + 16:
            piece = f"({piece} >> {16 * col + 16 - hi})"
        if lo > 16 * col:
            piece = f"({piece} & {(1 << (hi - lo)) - 1})"
        if end > hi:
            piece = f"({piece} << {end - hi})"
        pieces.append(piece)
    return "(" + " | ".join(pieces) + ")"


def key_values(hexhash, flips=2):
    """Per key, the query's value and every value within `flips` bit flips (as LabIndex.keyValues)."""
    bits = bin(int(hexhash, 16))[2:].zfill(256)
    out = []
    for k, w in enumerate(KEY_WIDTHS):
        start = sum(KEY_WIDTHS[:k])
        v = int(bits[start:start + w], 2)
        vals = [v] + [v ^ (1 << a) for a in range(w)]
        if flips >= 2:
            vals += [v ^ (1 << a) ^ (1 << b) for a in range(w) for b in range(a + 1, w)]
        out.append(vals)
    return out


def spread_sql(hexhash, layout="keys"):
    """The near-duplicate query as LabIndex sends it (`keys`: eleven key lists as parameters, run
    as a generic plan) or as it was before migration v6-pdq-keys (`chunks`: sixteen 16-bit chunks
    within 1 flip, constants in the text)."""
    chunks = [int(hexhash[4 * k:4 * k + 4], 16) for k in range(16)]
    bits = "".join(f"{c:016b}" for c in chunks)
    head = (f"SELECT f.sha256, min(bit_count(p.hash # B'{bits}')) FROM lab_pdq p "
            f"JOIN lab_files f ON f.case_id = p.case_id AND f.file_id = p.file_id WHERE ({{cond}}) AND p.quality >= 50 AND f.sha256 IS NOT NULL "
            f"AND bit_count(p.hash # B'{bits}') <= 31 GROUP BY f.sha256")
    if layout == "chunks":
        cond = " OR ".join(f"p.c{k} IN ({','.join(str(v) for v in [c] + [c ^ (1 << b) for b in range(16)])})" for k, c in enumerate(chunks))
        return "", head.replace("{cond}", cond)
    cond = " OR ".join(f"{key_expression(k, 'p.')} = ANY(${k + 1}::integer[])" for k in range(len(KEY_WIDTHS)))
    args = ", ".join("'{" + ",".join(map(str, v)) + "}'" for v in key_values(hexhash))
    prepare = (f"SET plan_cache_mode = force_generic_plan; DEALLOCATE ALL; PREPARE probe({', '.join(['integer[]'] * len(KEY_WIDTHS))}) AS "
               + head.replace("{cond}", cond) + "; ")
    return prepare, f"EXECUTE probe({args})"


def spread_sql_ms(url, hexhash, layout="keys", planning=False):
    """Server time of the near-duplicate query (EXPLAIN ANALYZE, best of 5), as LabIndex builds it
    (or, `layout="chunks"`, as it was before v6-pdq-keys); with `planning`, also the planning time."""
    best = None
    prepare, query = spread_sql(hexhash, layout)
    for _ in range(5):
        # Without parallel workers, as LabIndex.nearDuplicates asks it (SET LOCAL there).
        out = subprocess.run(["psql", url.replace("?sslmode=disable", ""), "-At", "-c", prepare + "EXPLAIN (ANALYZE, FORMAT JSON) " + query],
                             capture_output=True, text=True, check=True,
                             env=dict(os.environ, PGOPTIONS="-c max_parallel_workers_per_gather=0")).stdout
        plan = json.loads(out[out.index("["):])[0]   # after the SET/PREPARE command tags
        ms = (plan["Execution Time"], plan.get("Planning Time", 0.0))
        best = ms if best is None or ms[0] < best[0] else best
    return best if planning else best[0]


if __name__ == "__main__":
    main()
