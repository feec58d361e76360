"""Suite `export` of bench/run_bench.py: 1,000,000 timeline events exported to Timesketch JSONL
(and CSV) by `exhibit export`, against the sqlite3 shell writing the same rows as JSON in the same
run.

The case database is the sample case ingested by exhibit itself (so the schema, the files and the
chats are real), plus synthetic events inserted with Python's sqlite3 into `events`: a mix of the
timeline kinds and bases, Korean and quoted descriptions, 2% without a UTC instant (the JSONL
leaves those out, as Timesketch needs a time). Built on demand in bench-work/export/, not committed.
"""
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

EVENTS_VERSION = "export-v1"
KINDS = ["message.sent", "file.modified", "photo.taken", "chat.action", "file.accessed", "gps.fix", "document.created"]
BASES = ["utc", "utc", "offset", "assumed-zone"]
WORDS = ("사진 영상 합성 유포 대화 방 시간 증거 photo video \"quoted\" back\\slash evidence seizure concert park "
         "tomorrow 7pm 👍 <b>markup</b>").split()


def utc_text(us):
    s, f = divmod(us, 1_000_000)
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
    return t + (f".{f:06d}" if f else "") + "Z"


def build_db(exhibit, root, n):
    db = os.path.join(root, "case.sqlite")
    stamp = os.path.join(root, "VERSION")
    want = f"{EVENTS_VERSION} {n}"
    if os.path.exists(db) and os.path.exists(stamp) and open(stamp).read() == want:
        return db
    if os.path.exists(root):
        subprocess.run(["rm", "-rf", root], check=True)
    os.makedirs(root)
    subprocess.run([exhibit, "ingest", "corpora/sample-case/phone-dump.zip", "corpora/sample-case/pc-export.tar.gz",
                    "--db", db, "--case", "BENCH-EXPORT", "--examiner", "Bench", "--assume-tz", "Asia/Seoul"],
                   check=True, capture_output=True)
    con = sqlite3.connect(db)
    files = [r[0] for r in con.execute("SELECT id FROM files")]
    msgs = con.execute("SELECT id, chat_id, sender_name FROM messages").fetchall()
    rng = random.Random(6)
    start = 1_700_000_000_000_000

    def rows():
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            basis = "unknown" if i % 50 == 7 else BASES[i % len(BASES)]
            us = None if basis == "unknown" else start + i * 1_234_567 + rng.randrange(1_000_000)
            m = msgs[i % len(msgs)] if kind in ("message.sent", "chat.action") else None
            desc = f"{m[2] if m else 'file'} → " + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
            yield (utc_text(us) if us is not None else None, us, f"raw {i}", basis, "second",
                   "interpreted in Asia/Seoul" if basis == "assumed-zone" else None, kind, desc,
                   "chat-export" if m else "intake", "timeline", "1.0", 1, files[i % len(files)],
                   m[0] if m else None, m[1] if m else None, m[2] if m else None, '{"table":"bench"}')

    with con:
        con.execute("DELETE FROM events")
        con.executemany("""INSERT INTO events (utc, utc_us, raw, basis, precision, note, kind, description, source, builder,
                           builder_version, evidence_id, file_id, message_id, chat_id, sender, provenance)
                           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows())
    con.close()
    open(stamp, "w").write(want)
    return db


def timed(cmd, repeat=3):
    """Median wall time, median CPU time (user + sys) and max peak RSS (KiB), via /usr/bin/time.
    CPU time is reported too because the machine may be shared: wall time then includes waiting."""
    walls, cpus, rss = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + cmd, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit(f"benchmark command failed ({p.returncode}): {cmd}\n{p.stderr[-2000:]}")
        user, system, peak = p.stderr.strip().splitlines()[-1].split()
        cpus.append(float(user) + float(system))
        rss.append(int(peak))
    return statistics.median(walls), statistics.median(cpus), max(rss)


def export_suite(args, work):
    n = args.export_events
    root = os.path.join(work, "export")
    db = build_db(args.exhibit, root, n)
    con = sqlite3.connect(db)
    with_utc = con.execute("SELECT count(*) FROM timeline WHERE utc_us IS NOT NULL").fetchone()[0]
    total = con.execute("SELECT count(*) FROM timeline").fetchone()[0]
    con.close()
    out = os.path.join(root, "out.jsonl")
    load = os.getloadavg()[0]
    t_ts, c_ts, rss_ts = timed([args.exhibit, "export", "--db", db, "--format", "timesketch", "--out", out, "--force"])
    size = os.path.getsize(out)
    t_csv, c_csv, rss_csv = timed([args.exhibit, "export", "--db", db, "--format", "csv", "--out", os.path.join(root, "out.csv"), "--force"])
    query = ("SELECT event_id, utc, utc_us, raw, basis, precision, kind, description, source, file_path, file_id, message_id, "
             "chat, sender, sha256, note, evidence FROM timeline WHERE utc_us IS NOT NULL ORDER BY utc_us, event_id")
    peer = os.path.join(root, "peer.json")
    t_peer, c_peer, rss_peer = timed(["bash", "-c", f"sqlite3 -json '{db}' '{query}' > '{peer}'"])
    ver = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]
    rate = with_utc / t_ts
    return "\n".join([
        f"## Export: {n:,} timeline events to Timesketch JSONL", "",
        f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {os.uname().machine}, {os.cpu_count()} cores. "
        "Reproduce: `make bench` (or `python3 bench/run_bench.py --suite export`). The case database is the sample "
        f"case ingested by exhibit plus {n:,} synthetic events (bench/export_bench.py; bench-work/, not committed); "
        f"{with_utc:,} have a UTC instant (the JSONL leaves the others out, the CSV keeps all {total:,}). "
        f"The peer is the sqlite3 {ver} shell writing the same rows of the `timeline` view, in the same order, "
        "as one JSON array (`sqlite3 -json`): no Timesketch fields, no streaming guarantee. Median of 3 runs; RSS is the peak "
        f"(SQLite's page cache included). Load average when the suite started: {load:.1f} on {os.cpu_count()} cores — "
        "on a shared machine the wall time includes waiting for a CPU, so the CPU time (user + sys) is shown too.", "",
        "| what | events | wall s | events/s (wall) | CPU s | events/s (CPU) | peak RSS | output |", "|---|---|---|---|---|---|---|---|",
        f"| `exhibit export --format timesketch` | {with_utc:,} | {t_ts:.2f} | **{rate:,.0f}** | {c_ts:.2f} | {with_utc / c_ts:,.0f} | {rss_ts / 1024:.0f} MiB | {size / 1e6:.0f} MB JSONL |",
        f"| `exhibit export --format csv` | {total:,} | {t_csv:.2f} | {total / t_csv:,.0f} | {c_csv:.2f} | {total / c_csv:,.0f} | {rss_csv / 1024:.0f} MiB | CSV |",
        f"| sqlite3 shell `-json` (peer) | {with_utc:,} | {t_peer:.2f} | {with_utc / t_peer:,.0f} | {c_peer:.2f} | {with_utc / c_peer:,.0f} | {rss_peer / 1024:.0f} MiB | {os.path.getsize(peer) / 1e6:.0f} MB JSON |",
        "",
        f"Target (issue 6): ≥ 200,000 events/s to JSONL — {'met' if rate >= 200_000 else 'NOT met'} in wall time "
        f"({rate / 200_000:.2f}× the target), {'met' if with_utc / c_ts >= 200_000 else 'NOT met'} in CPU time "
        f"({with_utc / c_ts / 200_000:.2f}×).",
        ""])
