"""Phone databases end to end (issue 11): messages/s of `exhibit ingest` on a phone extraction
holding one 1,000,000-message app database (Telegram cache4.db, WhatsApp msgstore.db, KakaoTalk
KakaoTalk.db), into the case database with the search index — and ALEAPP on the same tar in the
same run, where a local ALEAPP copy is given (it is not on PyPI: set ALEAPP_DIR to a checkout;
its Python requirements are installed into a venv under bench-work/) — and plaso's log2timeline
(PyPI `plaso`, the venv `make bench` installs in bench-work/plaso-venv) on the same tar, when it
is installed (issue 14, item 3: the peer a user would compare with)."""
import os
import sqlite3
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHONE = os.path.join(ROOT, "corpora", "phone")

# app → (generator, database name, device folder, companion names the generator writes beside it)
APPS = {
    "telegram": ("telegram/make_telegram.py", "cache4.db", "data/data/org.telegram.messenger/files", []),
    "whatsapp": ("whatsapp/make_whatsapp.py", "msgstore.db", "data/data/com.whatsapp/databases", ["wa.db"]),
    "kakaotalk": ("kakaotalk/make_kakaotalk.py", "KakaoTalk.db", "data/data/com.kakao.talk/databases", ["KakaoTalk2.db"]),
}


def build(work, app, n):
    gen, name, folder, companions = APPS[app]
    out = os.path.join(work, f"{app}-{n}")
    tar = out + ".tar"
    if os.path.exists(tar):
        return tar
    os.makedirs(out, exist_ok=True)
    args = ["--big", str(n), "--out", out] if app == "telegram" else ["--big", str(n), out]
    subprocess.run([sys.executable, os.path.join(PHONE, gen)] + args, check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(tar, "w", format=tarfile.PAX_FORMAT) as t:
        for f in sorted(os.listdir(out)):
            t.add(os.path.join(out, f), arcname=f"Dump/{folder}/{f}")
    return tar


def aleapp(work, tar):
    src = os.environ.get("ALEAPP_DIR")
    if not src:
        return None, "not measured: ALEAPP is not on PyPI; set ALEAPP_DIR to a local checkout to include it"
    venv = os.path.join(work, "aleapp-venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        reqs = [l.strip() for l in open(os.path.join(src, "requirements.txt")) if l.strip() and not l.startswith("#") and "git+" not in l]
        subprocess.run([py, "-m", "pip", "install", "-q"] + reqs, check=False)
    out = os.path.join(work, "aleapp-out")
    subprocess.run(["rm", "-rf", out]); os.makedirs(out)
    t0 = time.perf_counter()
    p = subprocess.run([py, os.path.join(src, "aleapp.py"), "-t", "tar", "-i", tar, "-o", out], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        return None, f"failed (exit {p.returncode}): {p.stderr.strip().splitlines()[-1:] or p.stdout[-200:]}"
    return dt, "ok"


def plaso(work, tar):
    """(wall s, CPU s, peak RSS MiB, events) of log2timeline over a folder holding the tar (`--archives
    tar`, the three hashers exhibit computes), or None and why not."""
    venv = os.path.join(ROOT, "bench-work", "plaso-venv", "bin")
    tool = os.path.join(venv, "log2timeline")
    if not os.path.exists(tool):
        return None, "not installed (`make bench` installs PyPI plaso into bench-work/plaso-venv)"
    folder = os.path.join(work, "plaso-in")
    subprocess.run(["rm", "-rf", folder]); os.makedirs(folder)
    os.link(tar, os.path.join(folder, os.path.basename(tar)))
    storage = os.path.join(work, "plaso.plaso")
    if os.path.exists(storage):
        os.remove(storage)
    t0 = time.perf_counter()
    p = subprocess.Popen([tool, "--quiet", "--status_view", "none", "--unattended", "--archives", "tar",
                          "--logfile", os.path.join(work, "log2timeline.log.gz"),
                          "--hashers", "md5,sha1,sha256", "--storage_file", storage, folder],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        return None, f"failed (status {status})"
    # wait4's usage of the child includes the worker processes it reaped (plaso's multiprocessing).
    cpu = ru.ru_utime + ru.ru_stime
    info = subprocess.run([os.path.join(venv, "pinfo"), storage], capture_output=True, text=True).stdout
    events = next((l.split(":")[-1].strip() for l in info.splitlines() if l.strip().startswith("Total :")), "?")
    return (wall, cpu, ru.ru_maxrss / 1024, events), "ok"


def phone_suite(args, work, timed_exhibit):
    work = os.path.join(work, "phone")
    os.makedirs(work, exist_ok=True)
    n = args.phone_messages
    rows = []
    for app in APPS:
        tar = build(work, app, n)
        db = os.path.join(work, f"{app}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        wall, rss, _, _ = timed_exhibit(f"{args.exhibit} ingest {tar} --db {db} --case BENCH --json", repeat=1)
        with sqlite3.connect(db) as c:
            messages = c.execute("SELECT count(*) FROM messages").fetchone()[0]
        peer, note = aleapp(work, tar)
        peer_text = f"{peer:.1f} s" if peer else note
        pl, pl_note = plaso(work, tar)
        pl_text = f"{pl[0]:.1f} s ({pl[1]:.1f} CPU s, {pl[2]:.0f} MiB, {pl[3]} events)" if pl else pl_note
        rows.append(f"| {app} | {messages:,} | {wall:.1f} s | {messages / wall:,.0f} | {rss / 1024:.0f} MB | {peer_text} | {pl_text} |")
    return "\n".join([
        f"### Phone databases end to end ({n:,} messages each, `exhibit ingest` of a tar, search index included)",
        "",
        "| app database | messages stored | wall | messages/s | peak RSS | ALEAPP, same tar | plaso log2timeline, same tar |",
        "|---|---|---|---|---|---|---|",
    ] + rows + ["", "Goal (issue 11): ≥ 50,000 messages/s on this 2-core machine."])
