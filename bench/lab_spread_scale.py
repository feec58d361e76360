#!/usr/bin/env python3
"""Spread-by-PDQ latency over many lab-wide hashes, made without publishing them.

bench/lab_bench.py grows a real case database and publishes it, which measures publishing too
but takes hours for 10 million hashes on a small machine. This script measures only the
question: it publishes the real Android case (its concert picture is the query's match), then
synthesises N random PDQ hashes directly in PostgreSQL as one more case's partition of
`lab_pdq` (hashes = two MD5s of the row number, 64 hex digits; chunks and bit(256) derived in SQL
exactly as publish derives them from the hex; quality 100; and a lab_files row each; loaded
without indexes, indexed, attached — as publish does). Then: `exhibit-labbench spread` (in process, median of 10) and the
server's time for the query (EXPLAIN ANALYZE, best of 5), and the number of candidate rows the
key indexes return; the CPU of those spreads (the labbench process's and the server's, per spread:
the wall time is shared with other work) and the server's CPU per query. With `--old-indexes`
the synthetic partition also gets the sixteen 16-bit chunk indexes of before migration
v6-pdq-keys, and the query of before (sixteen chunks within 1 flip) is timed on the same rows.

    python3 bench/lab_spread_scale.py [--old-indexes] --exhibit .build/debug/exhibit --labbench PATH/exhibit-labbench 1000000 10000000

Each synthetic hash has its lab_files row (a random SHA-256), so the planner cannot answer from
the small side of the join: the query reads every candidate the chunk indexes give.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_publish_cpu import postgres_cpu  # noqa: E402
from lab_bench import KEY_WIDTHS, QUERY, ROOT, key_expression, key_values, run, spread_sql_ms, start_cluster  # noqa: E402


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()


def synthesise(url, n, old_indexes=False):
    """Adds a case SYNTH-n whose lab_pdq partition holds n random hashes; returns seconds."""
    t0 = time.perf_counter()
    cid = psql(url, f"INSERT INTO lab_cases (name, db_path, published_utc, row_counts) VALUES ('SYNTH-{n}', '(synthetic)', "
                    f"'2026-12-07T00:00:00Z', '{{\"lab_pdq\": {n}}}') RETURNING case_id").splitlines()[0]
    t = f"lab_pdq_case{cid}"
    chunks = ", ".join(f"('x' || substr(h, {4 * k + 1}, 4))::bit(16)::integer" for k in range(16))
    psql(url, f"CREATE TABLE {t} (LIKE lab_pdq)")
    psql(url, f"INSERT INTO {t} SELECT {cid}, g, g, 'pdq', h, ('x' || h)::bit(256), 100, NULL, NULL, NULL, {chunks} "
              f"FROM (SELECT g, md5(g::text || 'a') || md5(g::text || 'b') AS h FROM generate_series(1, {n}) g) s")
    stmts = [f"ALTER TABLE {t} ADD CONSTRAINT {t}_pkey PRIMARY KEY (case_id, media_hash_id)"]
    stmts += [f"CREATE INDEX {t}_k{k} ON {t} (({key_expression(k)}))" for k in range(len(KEY_WIDTHS))]
    if old_indexes:
        # The sixteen chunk b-trees of the layout before v6-pdq-keys, to time its query on the same rows.
        stmts += [f"CREATE INDEX {t}_c{k} ON {t} (c{k})" for k in range(16)]
    stmts += [f"CREATE INDEX {t}_file ON {t} (case_id, file_id)", f"ALTER TABLE {t} ADD CONSTRAINT case_check CHECK (case_id = {cid})",
              f"ANALYZE {t}", f"ALTER TABLE lab_pdq ATTACH PARTITION {t} FOR VALUES IN ({cid})"]
    # Each hash's file (the query joins a candidate to its file): path, kind, a random SHA-256.
    f = f"lab_files_case{cid}"
    psql(url, f"CREATE TABLE {f} (LIKE lab_files)")
    psql(url, f"INSERT INTO {f} (case_id, file_id, evidence_id, path, name, kind, size, sha256) "
              f"SELECT {cid}, g, 1, 'synthetic/' || g || '.jpg', g || '.jpg', 'file', 1000, md5(g::text || 'f') || md5(g::text || 'g') "
              f"FROM generate_series(1, {n}) g")
    stmts += [f"ALTER TABLE {f} ADD CONSTRAINT {f}_pkey PRIMARY KEY (case_id, file_id)", f"CREATE INDEX {f}_sha256 ON {f} (sha256)",
              f"CREATE INDEX {f}_md5 ON {f} (md5)", f"CREATE INDEX {f}_sha1 ON {f} (sha1)",
              f"ALTER TABLE {f} ADD CONSTRAINT case_check CHECK (case_id = {cid})", f"ANALYZE {f}",
              f"ALTER TABLE lab_files ATTACH PARTITION {f} FOR VALUES IN ({cid})"]
    for s in stmts:
        psql(url, "SET maintenance_work_mem = '512MB'; " + s)
    return time.perf_counter() - t0


def candidates(url, hexhash, layout="keys"):
    """Rows the probe's indexes return: eleven keys within 2 flips (or sixteen chunks within 1)."""
    if layout == "chunks":
        chunks = [int(hexhash[4 * k:4 * k + 4], 16) for k in range(16)]
        cond = " OR ".join(f"c{k} IN ({','.join(str(v) for v in [c] + [c ^ (1 << b) for b in range(16)])})" for k, c in enumerate(chunks))
    else:
        cond = " OR ".join(f"{key_expression(k)} IN ({','.join(map(str, v))})" for k, v in enumerate(key_values(hexhash)))
    return int(psql(url, f"SET enable_seqscan = off; SELECT count(*) FROM lab_pdq WHERE {cond}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exhibit", required=True)
    ap.add_argument("--labbench", required=True)
    ap.add_argument("--old-indexes", action="store_true", help="also build the 16 chunk indexes of before v6-pdq-keys and time their query")
    ap.add_argument("sizes", nargs="+", type=int, help="total synthetic hashes after each step (increasing)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="exhibit-lab-scale-")
    os.chmod(tmp, 0o755)
    pg = tempfile.mkdtemp(prefix="exhibit-lab-pg-")
    url, stop = start_cluster(pg)
    plain = url.replace("?sslmode=disable", "")
    env = dict(os.environ, EXHIBIT_LAB_URL=url)
    rows = []
    try:
        base = f"{tmp}/base.sqlite"
        run([args.exhibit, "ingest", f"{ROOT}/corpora/phone/android/android-ffs.tar", "--db", base, "--case", "BENCH",
             "--examiner", "bench", "--assume-tz", "Asia/Seoul", "--json"])
        run([args.labbench, "init"], env=env)
        run([args.labbench, "publish", base], env=env)
        have = 0
        for n in args.sizes:
            made = synthesise(plain, n - have, args.old_indexes)
            have = n
            # CPU of the ten spreads, the labbench process's and the server's: the wall time is shared.
            c0, s0 = resource.getrusage(resource.RUSAGE_CHILDREN), postgres_cpu(f"{pg}/data")
            inproc = json.loads(run([args.labbench, "spread", QUERY, "10"], env=env).stdout)
            c1, s1 = resource.getrusage(resource.RUSAGE_CHILDREN), postgres_cpu(f"{pg}/data")
            client_ms = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) * 100   # per spread: / 10, in ms
            server_ms = (s1 - s0) * 100
            size = psql(plain, "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'lab_pdq'::regclass")
            s0 = postgres_cpu(f"{pg}/data")
            execute, planning = spread_sql_ms(url, QUERY, planning=True)
            query_cpu = (postgres_cpu(f"{pg}/data") - s0) * 200   # 5 queries, ms each
            row = dict(hashes=n, synthesised_s=round(made, 1), candidates=candidates(plain, QUERY),
                       inproc_ms=round(statistics.median(inproc["ms"]), 1), contents=inproc["contents"],
                       client_cpu_ms_per_spread=round(client_ms, 1), server_cpu_ms_per_spread=round(server_ms, 1),
                       query_ms=round(execute, 1), planning_ms=round(planning, 1), query_server_cpu_ms=round(query_cpu, 1), lab_pdq_size=size, load=round(os.getloadavg()[0], 1))
            if args.old_indexes:
                s0 = postgres_cpu(f"{pg}/data")
                old_execute, old_planning = spread_sql_ms(url, QUERY, "chunks", planning=True)
                old_cpu = (postgres_cpu(f"{pg}/data") - s0) * 200
                row.update(old_candidates=candidates(plain, QUERY, "chunks"), old_query_ms=round(old_execute, 1),
                           old_planning_ms=round(old_planning, 1), old_query_server_cpu_ms=round(old_cpu, 1))
            # Index sizes of the (last) synthetic partition: one key index, and one chunk index of before.
            row["key_index_size"] = psql(plain, "SELECT pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                                "WHERE c.relname LIKE 'lab_pdq_case%_k0' ORDER BY c.oid DESC LIMIT 1")
            if args.old_indexes:
                row["chunk_index_size"] = psql(plain, "SELECT pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                                      "WHERE c.relname LIKE 'lab_pdq_case%_c0' ORDER BY c.oid DESC LIMIT 1")
            row["cpu_s"] = round(sum(os.times()[2:4]), 1)   # this script's children so far (psql, labbench)
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(pg, ignore_errors=True)


if __name__ == "__main__":
    main()
