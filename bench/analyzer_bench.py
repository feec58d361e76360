"""Suite `analyzers` (issue 14, item 2): what the default analyzers cost on files that are not
theirs. A zip of plain-text files (random words, no chat inside) and random binary blobs, built on
demand under bench-work/ (never committed); the default `exhibit ingest`, the hash-only ingest
(`--no-analyzers`) and `bsdtar -xOf X | sha256sum` are timed in the same run.

Goal: the default ingest at ≥ 1.7× the pipe's throughput (the hash-only target): an analyzer must
reject a file that is not its own from the file's head.
"""
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import time

CORPUS_VERSION = "analyzers-v2"
WORDS = ("evidence seizure phone archive report meeting budget quarterly schedule invoice travel summary "
         "customer project deadline review minutes agenda office account transfer delivery 사진 회의 일정 보고서").split()


def text_pool(rng, size, words_per_line):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(*words_per_line))) + f" {rng.randint(0, 10**6)}\n"
        out.append(line)
        n += len(line.encode())
    return "".join(out).encode()


def build(work, texts, blobs, text_kb=100, blob_mb=5):
    """`texts` files of ~`text_kb` KB of random words and `blobs` random files of `blob_mb` MB, zipped
    (Info-ZIP, deflate -6). Returns the zip's path and the uncompressed byte count."""
    name = f"{CORPUS_VERSION}-{texts}x{text_kb}k-{blobs}x{blob_mb}m"
    base = os.path.join(work, name)
    stamp = base + ".done"
    if os.path.exists(stamp):
        return json.load(open(stamp))
    shutil.rmtree(base, ignore_errors=True)
    print(f"building corpus {name}…", flush=True)
    rng = random.Random(14)
    # Half the files are short lines (notes, logs), half paragraphs of 0.5-5 KB per line (text
    # saved from documents), the shape that made string searches over whole lines expensive.
    pools = [text_pool(rng, 16 << 20, (6, 18)), text_pool(rng, 16 << 20, (60, 600))]
    total = 0
    for i in range(texts):
        pool = pools[i % 2]
        d = os.path.join(base, "Documents", f"d{i // 250}")
        os.makedirs(d, exist_ok=True)
        n = rng.randint(text_kb * 900, text_kb * 1100)
        off = rng.randint(0, len(pool) - n)
        # Start at a line boundary, as a real text file does.
        off = pool.index(b"\n", off) + 1 if off else 0
        with open(os.path.join(d, f"notes-{i:05d}.txt"), "wb") as f:
            f.write(pool[off:off + n])
        total += n
    os.makedirs(os.path.join(base, "blobs"), exist_ok=True)
    for i in range(blobs):
        with open(os.path.join(base, "blobs", f"blob-{i:03d}.bin"), "wb") as f:
            f.write(os.urandom(blob_mb << 20))
        total += blob_mb << 20
    subprocess.run(f"cd '{base}' && zip -q -r ../{name}.zip .", shell=True, check=True)
    shutil.rmtree(base)
    info = {"zip": base + ".zip", "bytes": total, "texts": texts, "blobs": blobs}
    json.dump(info, open(stamp, "w"))
    return info


def analyzer_suite(args, work, timed, timed_exhibit):
    os.makedirs(work, exist_ok=True)
    corpus = build(work, args.analyzer_texts, args.analyzer_blobs)
    ev, n = corpus["zip"], corpus["bytes"]
    db = os.path.join(work, "analyzers.sqlite")

    def ingest(extra):
        return f"rm -f {db} {db}-wal {db}-shm; {args.exhibit} ingest '{ev}' --db {db} --case BENCH --json {extra}"

    def cpu(run, *a):
        """`run(*a)` and the CPU seconds (user + system, every descendant) per repetition."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = run(*a)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return out, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / 3

    (t_def, rss_def, _, walk_def), c_def = cpu(timed_exhibit, ingest(""))
    (t_hash, rss_hash, _, walk_hash), c_hash = cpu(timed_exhibit, ingest("--no-analyzers"))
    (t_pipe, _), c_pipe = cpu(timed, f"bsdtar -xOf '{ev}' | sha256sum")
    ratio = t_pipe / t_def
    rows = [("exhibit ingest (default analyzers)", t_def, walk_def, rss_def, c_def),
            ("exhibit ingest --no-analyzers", t_hash, walk_hash, rss_hash, c_hash)]
    if args.analyzers_before:
        # An earlier build, timed in the same run (before/after of a change).
        old = ingest("").replace(args.exhibit, args.analyzers_before, 1)
        (t_old, rss_old, _, walk_old), c_old = cpu(timed_exhibit, old)
        rows.append((f"before: `{args.analyzers_before}` ingest (default analyzers)", t_old, walk_old, rss_old, c_old))
    out = ["## Analyzers on files that are not theirs", "",
           f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {platform.machine()}, {os.cpu_count()} cores, "
           f"`{args.exhibit}` (release). Reproduce: `make bench` (or `python3 bench/run_bench.py --suite analyzers`).",
           f"Corpus (bench/analyzer_bench.py, built on demand in bench-work/, not committed): one zip of "
           f"{corpus['texts']:,} plain-text files of ~100 KB (random words, no chat inside; half in short lines, half in "
           f"0.5–5 KB paragraphs) and {corpus['blobs']} random "
           f"5 MB blobs, {n / 1e6:.0f} MB uncompressed. Times are medians of 3 runs; the pipe computes one hash, "
           "exhibit three (MD5, SHA-1, SHA-256) plus libmagic, the case DB and the analyzers.", "",
           "| run | whole run | throughput | ÷ `bsdtar -xOf \\| sha256sum` | intake phase | CPU (user+sys) | peak RSS |",
           "|---|---|---|---|---|---|---|"]
    for label, t, walk, rss, c in rows:
        out.append(f"| {label} | {t:.2f} s | {n / t / 1e6:.0f} MB/s | {t_pipe / t:.2f}× | {walk:.2f} s | {c:.2f} s | {rss / 1024:.0f} MB |")
    out.append(f"| `bsdtar -xOf X \\| sha256sum` | {t_pipe:.2f} s | {n / t_pipe / 1e6:.0f} MB/s | 1× | – | {c_pipe:.2f} s | – |")
    out += ["", f"Default ingest ÷ pipe: **{ratio:.2f}×** (goal ≥ 1.7×, the hash-only target); default ÷ hash-only "
                f"throughput: {t_hash / t_def:.2f}; analyzers' CPU on these files: {c_def - c_hash:+.2f} s "
                f"({(c_def - c_hash) / c_hash * 100:+.0f} % of the hash-only run's).", ""]
    return "\n".join(out)
