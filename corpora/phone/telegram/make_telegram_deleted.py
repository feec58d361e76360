#!/usr/bin/env python3
"""Writes the deleted-message fixture of Telegram for Android (README.md, "deleted/").

Telegram for Android runs its cache4.db with secure_delete ON, so a deleted message row is zeroed
in the page that held it; what survives is the older version of that page. deleted/cache4.db: WAL
mode, four messages with 민준 checkpointed into the main file, then message 3 deleted in a commit
that stays in cache4.db-wal (the database and its WAL are copied while the writer is open, as a
phone extraction finds them). The main file's page still holds message 3; the WAL's newer
version of it does not.

Same schema, people, TL serializer and times as make_telegram.py (imported from it). Deterministic
except the WAL header's random salts (SQLite's choice), as for the main fixture.

    python3 make_telegram_deleted.py      # rewrites deleted/cache4.db and deleted/cache4.db-wal
"""
import os
import shutil
import sqlite3

from make_telegram import MINJUN, OWNER, T0, base_tables, insert_messages, remove_db, tl

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deleted")


def messages():
    dm = ("user", MINJUN)
    me = dict(out=True, from_id=("user", OWNER))
    rows = [
        dict(id=1, peer=dm, date=T0, text="내일 몇 시? What time tomorrow?"),
        dict(id=2, peer=dm, date=T0 + 60, text="3시 강남역 3pm Gangnam", **me),
        dict(id=3, peer=dm, date=T0 + 120, text="현금 챙겨와 — bring the cash"),
        dict(id=4, peer=dm, date=T0 + 180, text="OK 👍", **me),
    ]
    return [(MINJUN, m["id"], m["date"], 1 if m.get("out") else 0, tl.message(m)) for m in rows]


def write_deleted(folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "cache4.db")
    remove_db(path)
    tmp = path + ".tmp"
    remove_db(tmp)
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("PRAGMA secure_delete = ON")
    db.execute("BEGIN")
    base_tables(db)
    db.execute("INSERT INTO dialogs(did, date, unread_count, last_mid, inbox_max, outbox_max, last_mid_i, unread_count_i,"
               " pts, date_i, pinned, flags, folder_id, unread_reactions, last_mid_group, ttl_period)"
               " VALUES (?,?,0,4,0,0,0,0,0,0,0,0,0,0,0,0)", (MINJUN, T0 + 180))
    insert_messages(db, messages())
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("DELETE FROM messages_v2 WHERE mid = 3 AND uid = ?", (MINJUN,))
    shutil.copyfile(tmp, path)
    shutil.copyfile(tmp + "-wal", path + "-wal")
    db.close()
    remove_db(tmp)


if __name__ == "__main__":
    write_deleted(HERE)
    for name in sorted(os.listdir(HERE)):
        print(name, os.path.getsize(os.path.join(HERE, name)))
