#!/usr/bin/env python3
"""Peak memory of deleted-record recovery on a dense database (docs/BENCHMARKS.md, "Deleted-record
recovery", memory).

Generates a database whose every page holds deleted rows (T tables `messages_k` of N rows, all
but every K-th deleted, secure_delete off, rollback journal) and ingests it with `exhibit ingest`,
reporting the ingest's peak RSS (wait4 rusage of the child, which covers the worker it waits
for), CPU time (user+sys), wall time, the load average and how many rows `recovered_records`
holds. Run it with two binaries (--bin A --bin B) to compare them on the same file.

Usage: recovery_memory_bench.py [--tables T] [--rows N] [--keep K] [--bin PATH ...] [--dir DIR]
"""
import argparse, os, sqlite3, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def make_dense(path, tables, rows, keep):
    """`tables` tables of `rows` rows of ~70 bytes; all but every `keep`-th row deleted (freeblocks
    on every leaf page). The default rows per table keep rowids below 16,384 (a 2-byte varint);
    more rows per table make a larger database of the same density."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA secure_delete = OFF")
    db.execute("PRAGMA journal_mode = DELETE")
    for t in range(tables):
        db.execute(f"CREATE TABLE messages_{t} (id INTEGER PRIMARY KEY, chat INTEGER, body TEXT, sent INTEGER)")
        db.executemany(f"INSERT INTO messages_{t} VALUES (?, ?, ?, ?)",
                       ((i, i % 97, f"dense message {t}.{i} " + "x" * (i % 23), 1_600_000_000 + i) for i in range(1, rows + 1)))
        db.commit()
    # Deleted last: freed pages are not reused by the next table's rows.
    for t in range(tables):
        db.execute(f"DELETE FROM messages_{t} WHERE id % {keep} != 1")
    db.commit()
    db.close()


def measure(cmd):
    """(wall s, user+sys s, peak RSS MiB) of cmd and what it waited for."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{err.decode(errors='replace')[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=64)
    ap.add_argument("--rows", type=int, default=16_000, help="rows per table")
    ap.add_argument("--keep", type=int, default=4, help="keep every KEEP-th row, delete the others")
    ap.add_argument("--bin", action="append")
    ap.add_argument("--dir")
    a = ap.parse_args()
    bins = a.bin or [os.path.join(ROOT, ".build", "debug", "exhibit")]
    tmp = a.dir or tempfile.mkdtemp(prefix="recovery-mem-")
    os.makedirs(os.path.join(tmp, "evidence"), exist_ok=True)
    db = os.path.join(tmp, "evidence", "dense.db")
    if not os.path.exists(db):
        make_dense(db, a.tables, a.rows, a.keep)
    size = os.path.getsize(db)
    for b in bins:
        case = os.path.join(tmp, "case.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(case + suffix):
                os.remove(case + suffix)
        load = os.getloadavg()[0]
        wall, cpu, rss = measure([b, "ingest", os.path.join(tmp, "evidence"), "--db", case, "--case", "MEM",
                                  "--examiner", "Bench", "--json", "--temp-dir", tmp])
        c = sqlite3.connect(case)
        n = c.execute("SELECT count(*) FROM recovered_records").fetchone()[0]
        c.close()
        print(f"{b}: {a.tables} x {a.rows} rows inserted, 1 in {a.keep} kept, {size / 2**20:.0f} MiB; {n} recovered_records; peak RSS {rss:.0f} MiB; "
              f"CPU {cpu:.1f} s; wall {wall:.1f} s; load {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
