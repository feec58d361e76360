#!/usr/bin/env python3
"""Generates the deleted-record recovery fixtures of corpora/recovery/ with Python's sqlite3.

Each case is a database (with its -wal or -journal where the case needs one) and an answer key
`<case>.key.json`: every row deleted or changed, with its values in table column order (an
INTEGER PRIMARY KEY column holds the rowid), and whether its bytes still exist in the files
("recoverable": its distinctive text value occurs in the bytes). The generator is deterministic
except for the WAL salts SQLite chooses at random; tests read the committed files and never run it.

Usage: make_recovery.py OUTDIR [--scale N]   (N multiplies row counts; the committed set uses 1)
"""
import json, os, shutil, sqlite3, sys, tempfile

MESSAGES = "CREATE TABLE messages (id INTEGER PRIMARY KEY, sender TEXT, body TEXT, ts INTEGER, score REAL, flags BLOB)"
CONTACTS = "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone VARCHAR(20), added INTEGER)"
NOTES = "CREATE TABLE notes (title TEXT, body TEXT, created INTEGER)"


def msg(i, tag="m"):
    senders = ["alice", "bob", "carol", "dave", "erin"]
    return (i, senders[i % 5], f"{tag}-message {i} about item {i * 37 % 1000} " + "x" * (i % 23),
            1700000000 + i * 61, (i % 17) / 4.0 + 0.25, bytes([i % 256, (i * 7) % 256, 0xAB]))


def contact(i):
    return (i, f"contact-{i}-name", f"+82-10-{1000 + i:04d}-{(i * 7919) % 10000:04d}", 1600000000 + i)


def note(i, tag="n"):
    return (f"{tag}-title-{i}", f"{tag}-note body {i} " + "y" * (i % 40), 1650000000 + i)


def jv(v):
    if isinstance(v, bytes):
        return {"hex": v.hex()}
    return v


def files_bytes(paths):
    out = b""
    for p in paths:
        if os.path.exists(p):
            with open(p, "rb") as f:
                out += f.read()
    return out


def needles(values):
    """The first 60 bytes of every text of 8 characters or more: all must still be in the files."""
    return ([v.encode()[:60] for v in values if isinstance(v, str) and len(v) >= 8]
            + [v[:60] for v in values if isinstance(v, bytes) and len(v) >= 8])


def finish(outdir, name, tmp, truth, companions=(), expect_none=False, notes=""):
    paths = [os.path.join(tmp, name + ".db")] + [os.path.join(tmp, name + ".db" + c) for c in companions]
    blob = files_bytes(paths)
    for t in truth:
        ns = needles(t["values"])
        t["recoverable"] = bool(ns) and all(n in blob for n in ns)
    for p in paths:
        if os.path.exists(p):
            shutil.copy(p, os.path.join(outdir, os.path.basename(p)))
    key = {"case": name, "database": name + ".db",
           "companions": [name + ".db" + c for c in companions if os.path.exists(os.path.join(tmp, name + ".db" + c))],
           "expect_none": expect_none, "notes": notes, "deleted": truth}
    with open(os.path.join(outdir, name + ".key.json"), "w") as f:
        json.dump(key, f, indent=1, sort_keys=True)


def connect(path, page_size=4096, secure=False, journal="DELETE"):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute(f"PRAGMA page_size={page_size}")
    con.execute(f"PRAGMA secure_delete={'ON' if secure else 'OFF'}")
    con.execute("PRAGMA auto_vacuum=NONE")
    con.execute(f"PRAGMA journal_mode={journal}")
    return con


def row(table, values):
    return {"table": table, "rowid": values[0] if table in ("messages", "contacts") else None, "values": [jv(v) for v in values]}


KV = "CREATE TABLE kv (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID"
SETTINGS = "CREATE TABLE settings (value TEXT, updated INTEGER, name TEXT, PRIMARY KEY (name)) WITHOUT ROWID"


def kv(i):
    """A 20-byte big-endian key (like Telegram's t7 MessageIndex) and a value of 40 to 400 bytes."""
    return (i.to_bytes(8, "big") + (i * 7919 % 65536).to_bytes(4, "big") + (1700000000 + i).to_bytes(4, "big") + i.to_bytes(4, "big"),
            b"\x00" + f"kv-value {i} ".encode() + bytes(range(i % 7, i % 7 + 20)) + b"v" * (i * 13 % 360))


def setting(i):
    return (f"setting value {i} " + "s" * (i % 30), 1690000000 + i, f"setting.name.{i}")


def case_freeblock(outdir, tmp, scale, name="freeblock", page_size=4096):
    """Deleted and changed rows inside pages still in use (freeblocks and the unallocated gap)."""
    con = connect(os.path.join(tmp, name + ".db"), page_size)
    con.execute(MESSAGES); con.execute(CONTACTS)
    n = 300 * scale
    con.execute("BEGIN")
    con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?)", [msg(i) for i in range(1, n + 1)])
    con.executemany("INSERT INTO contacts VALUES (?,?,?,?)", [contact(i) for i in range(1, 61)])
    con.execute("COMMIT")
    truth = []
    for i in range(1, n + 1):
        if i % 7 == 3 or i % 11 == 0:
            con.execute("DELETE FROM messages WHERE id=?", (i,)); truth.append(row("messages", msg(i)))
    for i in range(5, 61, 9):
        con.execute("DELETE FROM contacts WHERE id=?", (i,)); truth.append(row("contacts", contact(i)))
    # A change: the old version of a grown row is freed in place.
    for i in (2, 50, 120):
        old = msg(i)
        con.execute("UPDATE messages SET body=? WHERE id=?", (old[2] + " (edited, now longer than before)", i))
        truth.append(dict(row("messages", old), kind="changed"))
    con.close()
    finish(outdir, name, tmp, truth, notes=f"page size {page_size}; secure_delete off; deletes every 7th/11th message and every 9th contact; three rows edited")


def case_freelist(outdir, tmp, scale):
    """Whole pages freed by a range delete, and a dropped table: rows on freelist pages."""
    name = "freelist"
    con = connect(os.path.join(tmp, name + ".db"), 1024)
    con.execute(NOTES); con.execute(CONTACTS)
    con.execute("CREATE TABLE dropped_tbl (k TEXT, v INTEGER)")
    con.execute("BEGIN")
    con.executemany("INSERT INTO notes VALUES (?,?,?)", [note(i) for i in range(1, 201 * scale)])
    con.executemany("INSERT INTO contacts VALUES (?,?,?,?)", [contact(i) for i in range(1, 41)])
    con.executemany("INSERT INTO dropped_tbl VALUES (?,?)", [(f"dropped-key-{i}", i * 3) for i in range(1, 61)])
    con.execute("COMMIT")
    truth = []
    rows = con.execute("SELECT rowid, title, body, created FROM notes WHERE rowid BETWEEN 40 AND 140").fetchall()
    con.execute("DELETE FROM notes WHERE rowid BETWEEN 40 AND 140")
    for r in rows:
        truth.append({"table": "notes", "rowid": r[0], "values": list(r[1:])})
    for i in range(1, 61):
        truth.append({"table": "dropped_tbl", "rowid": i, "values": [f"dropped-key-{i}", i * 3], "dropped": True})
    con.execute("DROP TABLE dropped_tbl")
    con.close()
    finish(outdir, name, tmp, truth, notes="page size 1024; notes 40..140 deleted (pages freed); table dropped_tbl dropped")


def case_overflow(outdir, tmp, scale):
    """Rows whose payload spills onto overflow pages, deleted."""
    name = "overflow"
    con = connect(os.path.join(tmp, name + ".db"), 1024)
    con.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, content TEXT, size INTEGER)")
    con.execute("BEGIN")
    docs = [(i, f"doc-title-{i}", (f"doc {i} content line. " * (40 + i * 13)), 0) for i in range(1, 31)]
    docs = [(a, b, c, len(c)) for a, b, c, _ in docs]
    con.executemany("INSERT INTO docs VALUES (?,?,?,?)", docs)
    con.execute("COMMIT")
    truth = []
    for d in docs:
        if d[0] % 3 == 0:
            con.execute("DELETE FROM docs WHERE id=?", (d[0],)); truth.append({"table": "docs", "rowid": d[0], "values": list(d)})
    con.close()
    finish(outdir, name, tmp, truth, notes="page size 1024; 30 documents of 0.8-10 KB; every third deleted")


def case_wal(outdir, tmp, scale):
    """Rows deleted or changed only in an uncheckpointed WAL: older versions in the main file and frames."""
    name = "wal"
    path = os.path.join(tmp, name + ".db")
    con = connect(path, 4096, journal="WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute(MESSAGES)
    con.execute("BEGIN")
    con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?)", [msg(i, "w") for i in range(1, 121)])
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truth = []
    for i in (4, 9, 33, 34, 35, 80):
        con.execute("DELETE FROM messages WHERE id=?", (i,)); truth.append(row("messages", msg(i, "w")))
    for i in (10, 60):
        old = msg(i, "w")
        con.execute("UPDATE messages SET body='changed in wal', sender='mallory' WHERE id=?", (i,))
        truth.append(dict(row("messages", old), kind="changed"))
    con.execute("DELETE FROM messages WHERE id=100"); truth.append(row("messages", msg(100, "w")))
    # Copy while the connection is open: closing would checkpoint and delete the WAL.
    os.makedirs(os.path.join(tmp, "walcopy"), exist_ok=True)
    shutil.copy(path, os.path.join(tmp, "walcopy", name + ".db"))
    shutil.copy(path + "-wal", os.path.join(tmp, "walcopy", name + ".db-wal"))
    con.close()
    finish(outdir, name, os.path.join(tmp, "walcopy"), truth, companions=("-wal",),
           notes="WAL mode, checkpointed after the inserts; 7 deletes and 2 edits only in the -wal")


def case_walgen(outdir, tmp, scale):
    """A WAL restarted after a checkpoint: frames of the earlier generation remain at its tail."""
    name = "walgen"
    path = os.path.join(tmp, name + ".db")
    con = connect(path, 4096, journal="WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute(MESSAGES)
    con.execute("BEGIN")
    con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?)", [msg(i, "g") for i in range(1, 61)])
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truth = []
    for i in range(5, 16, 2):
        con.execute("DELETE FROM messages WHERE id=?", (i,)); truth.append(row("messages", msg(i, "g")))
    con.execute("PRAGMA wal_checkpoint(PASSIVE)")
    # The next write restarts the WAL from its first frame with new salts.
    con.execute("INSERT INTO messages VALUES (?,?,?,?,?,?)", msg(1000, "g"))
    os.makedirs(os.path.join(tmp, "walgencopy"), exist_ok=True)
    shutil.copy(path, os.path.join(tmp, "walgencopy", name + ".db"))
    shutil.copy(path + "-wal", os.path.join(tmp, "walgencopy", name + ".db-wal"))
    con.close()
    finish(outdir, name, os.path.join(tmp, "walgencopy"), truth, companions=("-wal",),
           notes="WAL checkpointed (PASSIVE) after 6 deletes, then restarted by one insert: earlier-generation frames at the tail")


def case_journal(outdir, tmp, scale):
    """Rows surviving only in a PERSIST rollback journal (secure_delete zeroes them in the database)."""
    name = "journal"
    con = connect(os.path.join(tmp, name + ".db"), 4096, secure=True, journal="PERSIST")
    con.execute(CONTACTS)
    con.execute("BEGIN")
    con.executemany("INSERT INTO contacts VALUES (?,?,?,?)", [contact(i) for i in range(1, 81)])
    con.execute("COMMIT")
    truth = []
    con.execute("BEGIN")
    for i in range(10, 80, 6):
        con.execute("DELETE FROM contacts WHERE id=?", (i,)); truth.append(row("contacts", contact(i)))
    con.execute("COMMIT")
    con.close()
    finish(outdir, name, tmp, truth, companions=("-journal",),
           notes="journal_mode PERSIST, secure_delete ON: deleted rows are zeroed in the database, kept in the journal")


def case_secure(outdir, tmp, scale):
    """secure_delete=ON, rollback journal deleted: nothing may be reported."""
    name = "secure"
    con = connect(os.path.join(tmp, name + ".db"), 4096, secure=True)
    con.execute(MESSAGES); con.execute(NOTES)
    con.execute("BEGIN")
    con.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?)", [msg(i, "s") for i in range(1, 301)])
    con.executemany("INSERT INTO notes VALUES (?,?,?)", [note(i, "s") for i in range(1, 201)])
    con.execute("COMMIT")
    truth = []
    for i in range(1, 301, 4):
        con.execute("DELETE FROM messages WHERE id=?", (i,)); truth.append(row("messages", msg(i, "s")))
    con.execute("DELETE FROM notes WHERE rowid BETWEEN 20 AND 150")
    con.execute("UPDATE messages SET body='rewritten' WHERE id=2")
    con.close()
    finish(outdir, name, tmp, truth, expect_none=True, notes="secure_delete ON: deleted content zeroed; nothing may be reported")


def case_withoutrowid(outdir, tmp, scale):
    """WITHOUT ROWID tables (index b-trees, cells without a rowid, key fields first): deleted
    and changed rows in freeblocks and gaps of their pages and on freed index pages."""
    name = "withoutrowid"
    con = connect(os.path.join(tmp, name + ".db"), 4096)
    con.execute(KV); con.execute(SETTINGS)
    n = 300 * scale
    con.execute("BEGIN")
    con.executemany("INSERT INTO kv VALUES (?,?)", [kv(i) for i in range(1, n + 1)])
    con.executemany("INSERT INTO settings VALUES (?,?,?)", [setting(i) for i in range(1, 121)])
    con.execute("COMMIT")
    truth = []
    for i in range(1, n + 1):
        if i % 7 == 2 or i % 13 == 0 or 200 <= i < 240:
            con.execute("DELETE FROM kv WHERE key=?", (kv(i)[0],)); truth.append(row("kv", kv(i)))
    for i in range(3, 121, 10):
        con.execute("DELETE FROM settings WHERE name=?", (setting(i)[2],)); truth.append(row("settings", setting(i)))
    for i in (5, 60):
        old = setting(i)
        con.execute("UPDATE settings SET value=? WHERE name=?", (old[0] + " (changed, longer than before)", old[2]))
        truth.append(dict(row("settings", old), kind="changed"))
    con.close()
    finish(outdir, name, tmp, truth, notes="WITHOUT ROWID tables kv (20-byte BLOB key) and settings (TEXT key declared last); secure_delete off; deletes every 7th/13th kv row and a range of 40, every 10th setting; two settings changed")


def main():
    if len(sys.argv) < 2:
        print(__doc__); sys.exit(2)
    outdir = sys.argv[1]
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        case_freeblock(outdir, tmp, scale)
        case_freeblock(outdir, tmp, scale, "pagesize512", 512)
        case_freeblock(outdir, tmp, scale, "pagesize65536", 65536)
        case_freelist(outdir, tmp, scale)
        case_overflow(outdir, tmp, scale)
        case_wal(outdir, tmp, scale)
        case_walgen(outdir, tmp, scale)
        case_journal(outdir, tmp, scale)
        case_secure(outdir, tmp, scale)
        case_withoutrowid(outdir, tmp, scale)


if __name__ == "__main__":
    main()
