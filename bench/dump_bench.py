#!/usr/bin/env python3
"""Phone-dump benchmark (issue 14, item 3): one synthetic phone dump (a zip: camera photos with
EXIF, screenshots, a WhatsApp export, a Telegram Desktop export, documents; built on demand in
bench-work/dump/, not committed), taken through three pipelines in the same run:

- `exhibit ingest` (release build, default analyzers);
- a peer pipeline of single-purpose tools, one after another: bsdtar (extract), hashdeep
  (MD5 + SHA-1 + SHA-256), exiftool (metadata), pdqhash (perceptual hashes of the pictures),
  chat-miner (the WhatsApp and Telegram exports);
- plaso's log2timeline (PyPI `plaso`, in its own venv under bench-work/), the zip inside a
  folder with `--archives zip` and three hashers — when it is installed (`make bench` tries).

Used by run_bench.py (`--suite dump`); runnable alone:

    python3 bench/dump_bench.py --exhibit .build/release/exhibit
"""
import argparse, json, os, random, shutil, subprocess, sys, time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat_bench  # noqa: E402  (the WhatsApp/Telegram generators and the wait4 timer)

WORK = os.path.join("bench-work", "dump")
PLASO_VENV = os.path.join("bench-work", "plaso-venv")
CHATS = 100_000


def _photo(path, i, w=2400, h=1800):
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(i)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = (xx / w * rng.integers(60, 200) + yy / h * rng.integers(30, 120))[..., None]
    arr = base + rng.integers(-12, 13, (h, w, 3))  # sensor-like noise: camera-sized files
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "BenchPhone", "BP-1"          # Make, Model
    exif[0x0132] = f"2024:08:{1 + i % 28:02d} 15:{i % 60:02d}:03"   # DateTime
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = exif[0x0132]                                   # DateTimeOriginal
    img.save(path, quality=90, exif=exif)


def _screenshot(path, i, w=1080, h=2340):
    from PIL import Image, ImageDraw
    rnd = random.Random(i)
    img = Image.new("RGB", (w, h), (250, 250, 250))
    d = ImageDraw.Draw(img)
    for y in range(0, h, 180):
        d.rectangle([40, y + 20, w - 40, y + 150], fill=tuple(rnd.randrange(256) for _ in range(3)))
    img.save(path)


def build_dump(photos=120, screenshots=40, chats=CHATS):
    """The dump zip (cached: rebuilt only when missing). Returns (zip path, folder holding it)."""
    folder = os.path.join(WORK, "evidence")
    dump = os.path.join(folder, "phone-dump.zip")
    if os.path.exists(dump):
        return dump, folder
    tree = os.path.join(WORK, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    cam = os.path.join(tree, "sdcard", "DCIM", "Camera")
    shots = os.path.join(tree, "sdcard", "Pictures", "Screenshots")
    dl = os.path.join(tree, "sdcard", "Download")
    tg = os.path.join(dl, "Telegram Desktop", "ChatExport_2024-08-28")
    docs = os.path.join(tree, "sdcard", "Documents")
    for d in (cam, shots, tg, docs):
        os.makedirs(d, exist_ok=True)
    for i in range(photos):
        _photo(os.path.join(cam, f"IMG_20240828_{151203 + i}.jpg"), i)
    for i in range(screenshots):
        _screenshot(os.path.join(shots, f"Screenshot_20240828-{160000 + i}.png"), i)
    chat_bench.gen_whatsapp(os.path.join(dl, "WhatsApp Chat with Bench.txt"), chats)
    chat_bench.gen_telegram(os.path.join(tg, "result.json"), chats)
    rnd = random.Random(7)
    for i in range(30):
        with open(os.path.join(docs, f"note_{i:02d}.txt"), "w") as f:
            f.write("\n".join(" ".join(rnd.choice(chat_bench.WORDS) for _ in range(12)) for _ in range(2000)))
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(dump + ".part", "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in sorted(os.walk(tree)):
            for name in sorted(files):
                full = os.path.join(root, name)
                z.write(full, os.path.relpath(full, tree))
    os.replace(dump + ".part", dump)
    shutil.rmtree(tree)
    return dump, folder


PDQ = """
import sys, os, numpy as np, pdqhash
from PIL import Image
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.lower().endswith(('.jpg', '.png')):
            pdqhash.compute(np.asarray(Image.open(os.path.join(root, f)).convert('RGB'))); n += 1
print(n)
"""

CHATMINER = """
import sys, logging
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser, TelegramJsonParser
n = 0
for cls, path in ((WhatsAppParser, sys.argv[1]), (TelegramJsonParser, sys.argv[2])):
    p = cls(path); p.parse_file()
    n += len(p.parsed_messages.get_df()) if hasattr(p.parsed_messages, 'get_df') else len(p.parsed_messages)
print(n)
"""


def timed(cmd, **kw):
    """Wall seconds of a shell command (output discarded); raises when it fails."""
    t0 = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def peer_pipeline(dump):
    out = os.path.join(WORK, "peer")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    steps = []
    steps.append(("bsdtar -xf (extract)", timed(f"bsdtar -xf '{dump}' -C '{out}'")))
    steps.append(("hashdeep -c md5,sha1,sha256 -r", timed(f"hashdeep -c md5,sha1,sha256 -r '{out}' > {WORK}/hashdeep.txt")))
    steps.append(("exiftool -j -n -G1 -r", timed(f"exiftool -j -n -G1 -r '{out}' > {WORK}/exiftool.json")))
    steps.append(("pdqhash (Pillow decode + compute)", timed(f"{sys.executable} -c \"{PDQ}\" '{out}'")))
    wa = os.path.join(out, "sdcard", "Download", "WhatsApp Chat with Bench.txt")
    tg = os.path.join(out, "sdcard", "Download", "Telegram Desktop", "ChatExport_2024-08-28", "result.json")
    try:
        steps.append(("chat-miner (WhatsApp + Telegram)", timed(f"{sys.executable} -c \"{CHATMINER}\" '{wa}' '{tg}'")))
    except subprocess.CalledProcessError:
        steps.append(("chat-miner: not run (pip install chat-miner)", 0.0))
    shutil.rmtree(out)
    return steps


def plaso(folder):
    """(seconds, peak RSS MiB, version) of log2timeline over the folder, or (None, None, why)."""
    tool = os.path.join(PLASO_VENV, "bin", "log2timeline")
    if not os.path.exists(tool):
        return None, None, "not installed (see the install note in docs/BENCHMARKS.md)"
    version = subprocess.run([tool, "--version"], capture_output=True, text=True)
    storage = os.path.join(WORK, "timeline.plaso")
    if os.path.exists(storage):
        os.remove(storage)
    _, wall, rss = chat_bench.measure([tool, "--quiet", "--status_view", "none", "--unattended", "--archives", "zip",
                                       "--hashers", "md5,sha1,sha256", "--storage_file", storage,
                                       "--logfile", os.path.join(WORK, "log2timeline.log.gz"), folder])
    return wall, rss, (version.stdout + version.stderr).strip().splitlines()[-1] if (version.stdout + version.stderr).strip() else "?"


def exhibit(binary, folder):
    db = os.path.join(WORK, "case.sqlite")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.remove(db + s)
    out, wall, rss = chat_bench.measure([binary, "ingest", folder, "--db", db, "--case", "BENCH",
                                         "--assume-tz", "Asia/Seoul", "--json"])
    import sqlite3
    c = sqlite3.connect(db)
    counts = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("files", "messages", "metadata", "media_hashes", "events")}
    return wall, rss, counts, json.loads(out)


def exhibit_phases(summary):
    """One sentence: where exhibit's wall time went, from its `--json` summary."""
    ev = summary.get("evidence", [{}])[0]
    parts = [f"custody hash {ev.get('hash_seconds', 0):.1f} s", f"intake (walk, analyzers, commits) {ev.get('walk_seconds', 0):.1f} s"]
    parts += [f"{k.replace('_', ' ')} {v:.1f} s" for k, v in summary.get("phase_seconds", {}).items()]
    return "exhibit phases (`--json`): " + ", ".join(parts) + "."


def dump_suite(args):
    dump, folder = build_dump()
    size = os.path.getsize(dump)
    ex_s, ex_rss, counts, summary = exhibit(args.exhibit, folder)
    steps = peer_pipeline(dump)
    peer_s = sum(s for _, s in steps)
    pl_s, pl_rss, pl_version = plaso(folder)
    out = ["## Phone dump: exhibit vs a peer pipeline and plaso", "",
           f"Measured {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, load average at start "
           f"{os.getloadavg()[0]:.1f}. Reproduce: `make bench` (or `python3 bench/run_bench.py --suite dump`). "
           f"Input (bench/dump_bench.py, bench-work/dump/, not committed): one {size / 1e6:.0f} MB zip — 120 camera "
           f"JPEGs with EXIF, 40 screenshots, a {CHATS:,}-line WhatsApp export, a {CHATS:,}-message Telegram "
           "Desktop export, 30 text documents.", "",
           "| pipeline | wall s | MB/s | peak RSS | what it stored |", "|---|---|---|---|---|",
           f"| `exhibit ingest` (default analyzers) | {ex_s:.1f} | {size / 1e6 / ex_s:.1f} | {ex_rss:.0f} MiB | "
           f"{counts['files']:,} files, {counts['messages']:,} messages, {counts['metadata']:,} metadata rows, "
           f"{counts['media_hashes']:,} perceptual hashes, {counts['events']:,} timeline events |",
           f"| peer pipeline (sum of the steps below) | {peer_s:.1f} | {size / 1e6 / peer_s:.1f} | – | "
           "hash list, exiftool JSON, PDQ hashes, chat DataFrames |"]
    if pl_s is not None:
        out.append(f"| plaso log2timeline ({pl_version}), `--archives zip`, 3 hashers | {pl_s:.1f} | "
                   f"{size / 1e6 / pl_s:.1f} | {pl_rss:.0f} MiB | a .plaso store (file-stat events) |")
    else:
        out.append(f"| plaso log2timeline | – | – | – | {pl_version} |")
    out += ["", "Peer steps: " + "; ".join(f"{n} {s:.1f} s" for n, s in steps) + ".", "",
            f"exhibit ÷ peer pipeline: {peer_s / ex_s:.2f}× the pipeline's speed (target ≥ 10×)"
            + (f"; ÷ plaso: {pl_s / ex_s:.2f}× (target > 1×)." if pl_s is not None else "."),
            exhibit_phases(summary), ""]
    return "\n".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--exhibit", default=".build/release/exhibit")
    print(dump_suite(ap.parse_args()))
