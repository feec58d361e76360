#!/usr/bin/env python3
"""Builds the deleted-message fixtures of WhatsApp for Android (corpora/phone/whatsapp/README.md,
"deleted/"): a message deleted with secure_delete off (its bytes survive, recovered), a message
revoked and then VACUUMed (its old text is gone: nothing may be claimed), and a message deleted
with secure_delete on (zeroed: nothing may be claimed), and a legacy-schema `messages` row deleted
with secure_delete off (recovered).

Same schema, people and times as make_whatsapp.py (imported from it); rollback-journal mode, so the
main file alone holds everything. Deterministic: no randomness, and the journal is deleted at commit.

    python3 make_whatsapp_deleted.py    # rewrites deleted/*/msgstore.db beside this script
"""
import sqlite3
from pathlib import Path

from make_whatsapp import (CURRENT_SCHEMA, GROUP, JUNHO, L0, MIN, MINJI, T0, add_message, build_wa, fresh, jid_row,
                           legacy_content, legacy_insert)

HERE = Path(__file__).resolve().parent / "deleted"


def base(path: Path, secure: bool) -> tuple:
    """Two chats and six messages; returns (connection, chat rows, message rows)."""
    con = fresh(path)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
    con.executescript(CURRENT_SCHEMA)
    j_minji, j_junho, j_group = (jid_row(con, x) for x in (MINJI, JUNHO, GROUP))
    c_minji = con.execute("INSERT INTO chat (jid_row_id, hidden, created_timestamp, archived, group_type)"
                          " VALUES (?,0,?,0,0)", (j_minji, T0 - 86_400_000)).lastrowid
    c_group = con.execute("INSERT INTO chat (jid_row_id, hidden, subject, created_timestamp, archived, group_type)"
                          " VALUES (?,0,?,?,0,1)", (j_group, "콘서트 친구들 (Concert friends)", T0 - 3_600_000)).lastrowid
    for j in (j_minji, j_junho):
        con.execute("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending, add_timestamp)"
                    " VALUES (?,?,0,0,?)", (j_group, j, T0 - 3_600_000))
    rows = [
        add_message(con, c_minji, 0, "3EB0D0000000000000A1", T0, 0, "오늘 콘서트 몇 시에 만나?"),
        add_message(con, c_minji, 1, "3EB0D0000000000000A2", T0 + MIN, 0, "7시에 3번 게이트 앞에서 Gate 3 at 7"),
        add_message(con, c_minji, 0, "3EB0D0000000000000A3", T0 + 2 * MIN, 0, "돈은 현금으로 가져와 bring the cash"),
        add_message(con, c_minji, 1, "3EB0D0000000000000A4", T0 + 3 * MIN, 0, "알았어 OK"),
        add_message(con, c_group, 0, "3EB0D0000000000000A5", T0 + 4 * MIN, 0, "다들 어디야?", sender=j_junho),
        add_message(con, c_group, 1, "3EB0D0000000000000A6", T0 + 5 * MIN, 0, "거의 다 왔어 almost there", status=0),
    ]
    con.commit()
    return con, (c_minji, c_group), rows


def build_deleted():
    """secure_delete OFF: Minji's cash message (row 3) deleted for me; Minji's first message
    (row 1) marked read (status 0 → 13: a longer record, so the old version is left in free space
    beside the live row — a stale copy of a live message, which must not be repeated)."""
    con, _, rows = base(HERE / "secure-off" / "msgstore.db", secure=False)
    # The update first: a later insert or update could reuse the deleted row's freeblock.
    con.execute("UPDATE message SET status = 13 WHERE _id = ?", (rows[0],))
    con.commit()
    con.execute("DELETE FROM message WHERE _id = ?", (rows[2],))
    con.commit()
    con.close()
    build_wa(HERE / "secure-off" / "wa.db")


def build_revoked(vacuum: bool):
    """Minji's cash message (row 3) revoked ("deleted for everyone": type 15, text cleared,
    message_revoked row); then, for revoked-vacuumed/, VACUUM: the database is rewritten and the
    old text is gone. Without VACUUM (revoked/) the row's older, longer version (with its text)
    is left in the page's free space: the original of a revoked message."""
    folder = "revoked-vacuumed" if vacuum else "revoked"
    con, _, rows = base(HERE / folder / "msgstore.db", secure=False)
    con.execute("UPDATE message SET message_type = 15, text_data = NULL WHERE _id = ?", (rows[2],))
    con.execute("INSERT INTO message_revoked (message_row_id, revoked_key_id, revoke_timestamp) VALUES (?,?,?)",
                (rows[2], "3EB0D0000000000000B1", T0 + 2 * MIN + 10_000))
    con.commit()
    if vacuum:
        con.execute("VACUUM")
    con.close()


def build_secure():
    """secure_delete ON: the same deletion; SQLite zeroes the freed cell, so nothing survives."""
    con, _, rows = base(HERE / "secure-on" / "msgstore.db", secure=True)
    con.execute("DELETE FROM message WHERE _id = ?", (rows[2],))
    con.commit()
    con.close()


def build_legacy_deleted():
    """Legacy schema (`messages`), secure_delete OFF: the legacy fixture's rows, then one more
    message from Minji (key LEGACY0000000000A006) that is deleted."""
    con = fresh(HERE / "legacy-secure-off" / "msgstore.db")
    # 4 KiB pages: all rows on one leaf, so the deletion frees a cell instead of rebalancing pages.
    con.execute("PRAGMA page_size = 4096")
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA secure_delete = OFF")
    legacy_content(con)
    gone = legacy_insert(con, MINJI, 0, "LEGACY0000000000A006", L0 + 5 * MIN, "이 메시지는 지울게 deleting this one")
    legacy_insert(con, MINJI, 1, "LEGACY0000000000A007", L0 + 6 * MIN, "ㅇㅋ")
    con.commit()
    con.execute("DELETE FROM messages WHERE _id = ?", (gone,))
    con.commit()
    con.close()


def build_hostile_deleted():
    """secure_delete OFF, then two odd rows deleted: one naming chat row 99 (no such chat) with a
    timestamp too large for Unix milliseconds, one with an empty key id and no text. The first must
    come back under a placeholder chat with warnings, the second must not become a message."""
    con, _, rows = base(HERE / "hostile" / "msgstore.db", secure=False)
    odd = con.execute("INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data, sort_id)"
                      " VALUES (99, 0, '3EB0D0000000000000C1', 9000000000000000000, 0, '이상한 행 odd row', 0)").lastrowid
    empty = con.execute("INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data, sort_id)"
                        " VALUES (1, 0, '', ?, 0, NULL, 0)", (T0 + 9 * MIN,)).lastrowid
    con.commit()
    con.execute("DELETE FROM message WHERE _id IN (?, ?)", (odd, empty))
    con.commit()
    con.close()


def build_media_deleted():
    """secure_delete OFF, WAL mode as WhatsApp runs, side tables (issue 13 item 2): the newest two
    messages of Minji's chat — a photo (row 7, with a `message_media` row) and a reply quoting
    row 2 (row 8, with a `message_quoted` row) — are checkpointed into the main file, then deleted
    in the -wal: row 8 with its quote row, of row 7 only the message row (its `message_media` row
    stays, an orphan: `message._id` is AUTOINCREMENT, so that id was never given to another
    message). The main file's pages are now older versions holding the rows whole, rowids
    included. The WAL's salts are random: its bytes differ on every run, its content does not."""
    import shutil, tempfile
    tmp = Path(tempfile.mkdtemp())
    con, (c_minji, _), rows = base(tmp / "msgstore.db", secure=False)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA wal_autocheckpoint = 0")
    photo = add_message(con, c_minji, 0, "3EB0D0000000000000A7", T0 + 6 * MIN, 1, "여기 사진 the seat map")
    con.execute("INSERT INTO message_media (message_row_id, chat_row_id, transferred, file_path, file_size, width, height,"
                " mime_type, media_caption) VALUES (?,?,1,?,?,?,?,?,?)",
                (photo, c_minji, "Media/WhatsApp Images/IMG-20240828-WA0007.jpg", 48213, 1280, 960, "image/jpeg",
                 "여기 사진 the seat map"))
    reply = add_message(con, c_minji, 1, "3EB0D0000000000000A8", T0 + 7 * MIN, 0, "그 게이트 말고 다른 데 not that gate")
    con.execute("INSERT INTO message_quoted (message_row_id, chat_row_id, parent_message_chat_row_id, from_me, key_id,"
                " timestamp, message_type, text_data) VALUES (?,?,?,?,?,?,0,?)",
                (reply, c_minji, c_minji, 1, "3EB0D0000000000000A2", T0 + MIN, "7시에 3번 게이트 앞에서 Gate 3 at 7"))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("DELETE FROM message_quoted WHERE message_row_id = ?", (reply,))
    con.execute("DELETE FROM message WHERE _id IN (?, ?)", (reply, photo))
    con.commit()
    dest = HERE / "media-deleted"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("msgstore.db", "msgstore.db-wal"):
        shutil.copyfile(tmp / name, dest / name)
    con.close()
    shutil.rmtree(tmp)


if __name__ == "__main__":
    build_media_deleted()
    build_hostile_deleted()
    build_deleted()
    build_legacy_deleted()
    build_revoked(vacuum=True)
    build_revoked(vacuum=False)
    build_secure()
    for p in sorted(HERE.rglob("*")):
        print(p.relative_to(HERE.parent), p.stat().st_size if p.is_file() else "")
