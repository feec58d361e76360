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

Usage: recovery_bench.py [--bin PATH] [--nemetz DIR] [--scale N] [--markdown FILE] [--no-peer]
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
    """sqlite-dissect's carved rows as records (CSV export), or (None, reason)."""
    exe = shutil.which("sqlite_dissect")
    if not exe:
        return None, 0.0, "not installed"
    import csv
    with tempfile.TemporaryDirectory() as out:
        work = os.path.join(out, "in"); os.makedirs(work)
        shutil.copy(db, work)
        for c in companions:
            shutil.copy(c, work)
        target = os.path.join(work, os.path.basename(db))
        args = [exe, target, "--carve", "--carve-freelists", "-e", "csv", "-d", os.path.join(out, "csv")]
        t0 = time.time()
        try:
            subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=out)
        except subprocess.TimeoutExpired:
            return [], 300.0, "timeout (loops)"
        recs = []
        for f in glob.glob(os.path.join(out, "csv", "**", "*.csv"), recursive=True):
            with open(f, newline="", errors="replace") as fh:
                for row in csv.DictReader(fh):
                    if (row.get("Operation") or row.get("operation") or "").lower() not in ("carved", "deleted", "delete"):
                        continue
                    recs.append({"table": None, "dissect_row": row})
        return recs, time.time() - t0, None


def score_dissect(recs, truth):
    """sqlite-dissect's CSV columns are its own; a row matches a truth row when all the truth's
    non-empty text values occur among its cells (and its numbers, as text)."""
    good, found = 0, set()
    for r in recs:
        cells = set(str(v) for v in r["dissect_row"].values() if v not in (None, ""))
        hit = False
        for i, t in enumerate(truth):
            vals = [v for v in t["values"] if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
            if vals and all(str(v) in cells or (isinstance(v, float) and repr(v) in cells) for v in vals if not (i == 0 and v == t.get("rowid"))):
                hit = True; found.add(i)
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
    print("\n".join(lines))
    md = opt("--markdown")
    if md:
        with open(md, "w") as f:
            f.write("\n".join(lines) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
