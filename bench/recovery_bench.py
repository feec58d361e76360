#!/usr/bin/env python3
"""Deleted-record recovery benchmark: recall and precision per category (make bench).

Runs Exhibit's page-level recovery (the exhibit-recoverybench helper) and, when installed, DC3's
sqlite-dissect on the same files in the same run, and scores both against answer keys:
  - our generated cases (corpora/recovery/make_recovery.py, regenerated at --scale into a temp dir),
  - the SQLite forensic corpus of Nemetz, Schmitt and Freiling (DFRWS-EU 2018, CC0) when
    --nemetz DIR points at a local copy (kept out of the repository; see docs/recovery.md).

Matching (issue 13): a recovered record matches a truth row when its table is right (NULL allowed
for a dropped table) and every value it recovered equals the truth; an INTEGER PRIMARY KEY column
may come back as the rowid or missing. A record with some value `missing` that otherwise matches
is a partial match. Precision = records with duplicate_of_live = 0 that match a deleted truth row /
all records with duplicate_of_live = 0. Recall = truth rows matched fully / truth rows whose bytes
still exist ("recoverable"); recall over all keyed rows is printed too.

Usage: recovery_bench.py [--bin PATH] [--nemetz DIR] [--scale N] [--out docs/BENCHMARKS.md] [--no-peer]
(--out rewrites the `recovery` section between its <!-- bench:recovery --> markers.)
"""
import glob, json, math, os, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def norm(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, dict) and "hex" in v:
        return ("hex", v["hex"].lower())
    if isinstance(v, bytes):
        return ("hex", v.hex())
    return v


def is_missing(v):
    return isinstance(v, dict) and v.get("missing") is True


def match(rec, truth):
    """'full', 'partial' or None."""
    if rec.get("table") is not None and rec["table"] != truth["table"]:
        return None
    if rec.get("table") is None and not truth.get("dropped"):
        return None
    tv, rv = truth["values"], rec["values"]
    if len(tv) != len(rv):
        return None
    partial = False
    for i, (a, b) in enumerate(zip(tv, rv)):
        if is_missing(b):
            if not (i == 0 and truth.get("rowid") is not None and a == truth["rowid"]):
                partial = True
            continue
        if norm(a) != norm(b):
            if isinstance(a, float) or isinstance(b, float):
                try:
                    if math.isclose(float(a), float(b), rel_tol=1e-12):
                        continue
                except (TypeError, ValueError):
                    pass
            return None
    if rec.get("rowid") is not None and truth.get("rowid") is not None and rec["rowid"] != truth["rowid"]:
        return None
    return "partial" if partial else "full"


def score(records, truth, expect_none=False):
    nondup = [r for r in records if not r.get("duplicate_of_live")]
    matched_truth, partial_truth, good = set(), set(), 0
    for r in nondup:
        hit = False
        for i, t in enumerate(truth):
            m = match(r, t)
            if m:
                hit = True
                (matched_truth if m == "full" else partial_truth).add(i)
        good += hit
    recoverable = [i for i, t in enumerate(truth) if t.get("recoverable", True)]
    full = matched_truth & set(recoverable)
    return {"records": len(nondup), "correct": good, "phantoms": len(nondup) - good,
            "truth": len(truth), "recoverable": len(recoverable), "recovered": len(full),
            "recovered_all": len(matched_truth), "partial": len((partial_truth - matched_truth) & set(recoverable)),
            "duplicates_flagged": len(records) - len(nondup), "expect_none": expect_none}


def run_exhibit(binary, db, companions):
    args = [binary, db]
    for c in companions:
        if c.endswith("-wal"):
            args += ["--wal", c]
        elif c.endswith("-journal"):
            args += ["--journal", c]
    t0 = time.time()
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
    except subprocess.TimeoutExpired:
        return [], 600.0, "timeout"
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    return [r for r in recs if not r.get("summary")], time.time() - t0, None


def run_dissect(db, companions):
    """sqlite-dissect's carved and deleted rows from its CSV export (one file per table), or
    (None, secs, reason). Carving and freelist carving on, strict format checks off."""
    exe = shutil.which("sqlite_dissect")
    if not exe:
        return None, 0.0, "not installed"
    import csv
    csv.field_size_limit(1 << 30)
    with tempfile.TemporaryDirectory() as out:
        work = os.path.join(out, "in"); os.makedirs(work)
        shutil.copy(db, work)
        for c in companions:
            shutil.copy(c, work)
        target = os.path.join(work, os.path.basename(db))
        args = [exe, target, "-c", "-f", "-k", "-e", "csv", "-d", os.path.join(out, "csv"), "-l", "off"]
        t0 = time.time()
        err = None
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=out)
            if p.returncode != 0:
                err = f"exit {p.returncode}"
        except subprocess.TimeoutExpired:
            return [], 120.0, "timeout (loops)"
        recs = []
        base = os.path.basename(db)
        for f in sorted(glob.glob(os.path.join(out, "csv", "**", "*.csv"), recursive=True)):
            name = os.path.basename(f)[:-4]
            table = name[len(base) + 1:] if name.startswith(base + "-") else name
            with open(f, newline="", errors="replace") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                if not header or "Operation" not in header or "Row ID" not in header:
                    continue
                op, rid = header.index("Operation"), header.index("Row ID")
                for row in reader:
                    if len(row) <= rid or row[op] not in ("Carved", "Deleted"):
                        continue
                    recs.append({"table": table, "cells": row[rid + 1:], "rowid": row[rid]})
        if not recs and err:
            return [], time.time() - t0, err
        return recs, time.time() - t0, err


def dissect_cell_match(cell, v, is_rowid_col):
    """'eq', 'missing' or None for one sqlite-dissect CSV cell against a truth value."""
    if cell == "":
        return "eq" if v is None or is_rowid_col else "missing"
    if v is None:
        return "eq" if cell in ("None", "NULL") else None
    if isinstance(v, dict) and "hex" in v:
        return "eq" if cell == repr(bytes.fromhex(v["hex"])) else None
    if isinstance(v, float) or isinstance(v, int):
        try:
            return "eq" if math.isclose(float(cell), float(v), rel_tol=1e-12, abs_tol=1e-9) else None
        except ValueError:
            return None
    return "eq" if cell == str(v) else None


def score_dissect(recs, truth):
    good, found, partial = 0, set(), set()
    for r in recs:
        hit = False
        for i, t in enumerate(truth):
            if t["table"] != r["table"] or len(r["cells"]) != len(t["values"]):
                continue
            res = [dissect_cell_match(c, v, j == 0 and t.get("rowid") is not None and v == t["rowid"])
                   for j, (c, v) in enumerate(zip(r["cells"], t["values"]))]
            if None in res or all(x == "missing" for x in res):
                continue
            hit = True
            (partial if "missing" in res else found).add(i)
        good += hit
    recoverable = set(i for i, t in enumerate(truth) if t.get("recoverable", True))
    return {"records": len(recs), "correct": good, "phantoms": len(recs) - good, "recovered": len(found & recoverable),
            "recoverable": len(recoverable), "truth": len(truth), "recovered_all": len(found)}


def ratio(a, b):
    return a / b if b else float("nan")


def fmt(x):
    return "–" if x != x else f"{x:.2f}"


def own_cases(scale, tmp):
    subprocess.run([sys.executable, os.path.join(ROOT, "corpora/recovery/make_recovery.py"), tmp, "--scale", str(scale)], check=True)
    cases = []
    for k in sorted(glob.glob(os.path.join(tmp, "*.key.json"))):
        key = json.load(open(k))
        cases.append(("own/" + key["case"], os.path.join(tmp, key["database"]),
                      [os.path.join(tmp, c) for c in key["companions"]], key["deleted"], key["expect_none"]))
    return cases


def main():
    argv = sys.argv[1:]
    opt = lambda n, d=None: argv[argv.index(n) + 1] if n in argv else d
    binary = opt("--bin", os.path.join(ROOT, ".build/release/exhibit-recoverybench"))
    if not os.path.exists(binary):
        binary = os.path.join(ROOT, ".build/debug/exhibit-recoverybench")
    scale = int(opt("--scale", "1"))
    tmp = tempfile.mkdtemp(prefix="recbench-")
    cases = own_cases(scale, tmp)
    nemetz = opt("--nemetz")
    if nemetz:
        sys.path.insert(0, HERE)
        from nemetz_keys import nemetz_cases
        cases += nemetz_cases(nemetz)
    rows = []
    totals = {}
    for name, db, comps, truth, expect_none in cases:
        recs, secs, err = run_exhibit(binary, db, comps)
        s = score(recs, truth, expect_none)
        s["seconds"] = secs
        d = None
        if "--no-peer" not in argv:
            drecs, dsecs, derr = run_dissect(db, comps)
            d = score_dissect(drecs, truth) if drecs is not None else {"error": derr}
            if drecs is not None:
                d["seconds"] = dsecs
                if derr: d["error"] = derr
        rows.append((name, s, d))
        cat = name.split("/")[0] + "/" + (name.split("/")[1][:2] if name.startswith("nemetz") else name.split("/")[1])
        t = totals.setdefault(cat, {"ours": [0, 0, 0, 0, 0], "peer": [0, 0, 0, 0]})
        t["ours"] = [a + b for a, b in zip(t["ours"], [s["correct"], s["records"], s["recovered"], s["recoverable"], s["truth"]])]
        if d and "error" not in d:
            t["peer"] = [a + b for a, b in zip(t["peer"], [d["correct"], d["records"], d["recovered"], d["recoverable"]])]
        print(f"{name:40s} ours: P={fmt(ratio(s['correct'], s['records']))} R={fmt(ratio(s['recovered'], s['recoverable']))} "
              f"({s['recovered']}/{s['recoverable']}, phantoms {s['phantoms']}, partial {s['partial']}, dup-flagged {s['duplicates_flagged']}) "
              + (f"peer: {d}" if d else ""), flush=True)
    lines = ["| category | cases | recoverable / keyed rows | Exhibit recall | Exhibit recall (all keyed) | Exhibit precision | phantoms | sqlite-dissect recall | sqlite-dissect precision |",
             "|---|---|---|---|---|---|---|---|---|"]
    for cat, t in sorted(totals.items()):
        o, p = t["ours"], t["peer"]
        n = sum(1 for r in rows if (r[0].split("/")[0] + "/" + (r[0].split("/")[1][:2] if r[0].startswith("nemetz") else r[0].split("/")[1])) == cat)
        lines.append(f"| {cat} | {n} | {o[3]} / {o[4]} | {fmt(ratio(o[2], o[3]))} | {fmt(ratio(o[2], o[4]))} | {fmt(ratio(o[0], o[1]))} | {o[1] - o[0]} | "
                     f"{fmt(ratio(p[2], p[3])) if p[3] else '–'} | {fmt(ratio(p[0], p[1])) if p[1] else '–'} |")
    for group in ("own", "nemetz"):
        o = [0, 0, 0, 0, 0]; p = [0, 0, 0, 0]; failed = 0
        for name, s, d in rows:
            if name.split("/")[0] != group:
                continue
            o = [a + b for a, b in zip(o, [s["correct"], s["records"], s["recovered"], s["recoverable"], s["truth"]])]
            if d and "error" not in d:
                p = [a + b for a, b in zip(p, [d["correct"], d["records"], d["recovered"], d["recoverable"]])]
            elif d:
                failed += 1
        if o[4]:
            lines.append(f"| **{group}, all** | {sum(1 for r in rows if r[0].startswith(group + '/'))} | {o[3]} / {o[4]} | {fmt(ratio(o[2], o[3]))} | "
                         f"{fmt(ratio(o[2], o[4]))} | {fmt(ratio(o[0], o[1]))} | {o[1] - o[0]} | "
                         f"{fmt(ratio(p[2], p[3])) if p[3] else '–'} | {fmt(ratio(p[0], p[1])) if p[1] else '–'}"
                         f"{f' ({failed} files: error or timeout)' if failed else ''} |")
    print("\n".join(lines))
    out = opt("--out")
    if out:
        import platform
        sys.path.insert(0, HERE)
        from run_bench import write_section
        peer = subprocess.run(["pip", "show", "sqlite-dissect"], capture_output=True, text=True).stdout
        peer_ver = next((l.split(":", 1)[1].strip() for l in peer.splitlines() if l.startswith("Version:")), "not installed")
        ours_s = sum(r[1]["seconds"] for r in rows)
        peer_s = sum(r[2].get("seconds", 0) for r in rows if r[2])
        text = "\n".join([
            "## Deleted-record recovery (SQLite) vs sqlite-dissect",
            "",
            f"bench/recovery_bench.py, {len(rows)} databases: our generated cases (make_recovery.py --scale {scale})"
            + (" and the Nemetz/Schmitt/Freiling SQLite forensic corpus v2.0 (local copy, answer keys read by bench/nemetz_keys.py)" if nemetz else "")
            + f"; peer: DC3 sqlite-dissect {peer_ver} (`-c -f -k`, CSV) on the same files in the same run. "
            f"Recall = deleted rows recovered whole / deleted rows whose bytes still exist; precision = records with "
            f"duplicate_of_live = 0 that match a deleted row / all such records. Exhibit {ours_s:.1f} s, sqlite-dissect {peer_s:.1f} s in total "
            f"({platform.machine()}, debug or release build as given by --bin).",
            "",
        ] + lines)
        write_section(out, "recovery", text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
