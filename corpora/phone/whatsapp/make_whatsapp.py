#!/usr/bin/env python3
"""Builds the WhatsApp for Android database fixtures (corpora/phone/whatsapp/README.md).

Every database is written by Python's sqlite3 from the public schema facts in
/work/shared/FORMATS-mobile.md §2.3 (table and column names); all people, numbers and texts are
invented. Deterministic: fixed times, fixed ids, no randomness except a seeded generator.

    python3 make_whatsapp.py                 # rewrites the committed fixtures beside this script
    python3 make_whatsapp.py --big N OUTDIR  # OUTDIR/msgstore.db with N messages (tests, bench)
"""
import os
import random
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# 2024-08-28T06:10:00Z in milliseconds (the afternoon of the concert, Seoul time).
T0 = 1724825400000
MIN = 60_000

OWNER = "서연 (Seoyeon)"  # never stored in msgstore.db: the owner's rows are from_me = 1
MINJI = "821055501234@s.whatsapp.net"
JUNHO = "821055509999@s.whatsapp.net"
ALEX = "447700900123@s.whatsapp.net"
GROUP = "120363025551234567@g.us"

# ---------------------------------------------------------------- current schema (2022-)

CURRENT_SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE UNIQUE INDEX jid_key_index ON jid (user, server, agent, device);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER,
  subject TEXT, created_timestamp INTEGER, display_message_row_id INTEGER, last_message_row_id INTEGER,
  last_read_message_row_id INTEGER, archived INTEGER, sort_timestamp INTEGER, group_type INTEGER DEFAULT 0);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER,
  origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp INTEGER,
  message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
  message_add_on_flags INTEGER, sort_id INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX message_key_index ON message (chat_row_id, from_me, key_id, sender_jid_row_id);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, transferred INTEGER,
  file_path TEXT, file_size INTEGER, media_key BLOB, width INTEGER, height INTEGER, direct_path TEXT,
  message_url TEXT, mime_type TEXT, file_length INTEGER, media_name TEXT, file_hash TEXT,
  media_duration INTEGER, enc_file_hash TEXT, media_caption TEXT);
CREATE TABLE message_quoted (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  parent_message_chat_row_id INTEGER, from_me INTEGER, sender_jid_row_id INTEGER, key_id TEXT,
  timestamp INTEGER, message_type INTEGER, origin INTEGER, text_data TEXT);
CREATE TABLE message_revoked (message_row_id INTEGER PRIMARY KEY, revoked_key_id TEXT NOT NULL,
  admin_jid_row_id INTEGER, revoke_timestamp INTEGER);
CREATE TABLE message_edit_info (message_row_id INTEGER PRIMARY KEY, original_key_id TEXT NOT NULL,
  edited_timestamp INTEGER NOT NULL, sender_timestamp INTEGER NOT NULL);
CREATE TABLE message_forwarded (message_row_id INTEGER PRIMARY KEY, forward_score INTEGER,
  forward_origin INTEGER);
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE message_system_group (message_row_id INTEGER PRIMARY KEY, is_me_joined INTEGER);
CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, latitude REAL,
  longitude REAL, place_name TEXT, place_address TEXT, url TEXT, live_location_share_duration INTEGER);
CREATE TABLE call_log (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER, from_me INTEGER,
  call_id TEXT, transaction_id INTEGER, timestamp INTEGER, video_call INTEGER, duration INTEGER,
  call_result INTEGER, bytes_transferred INTEGER, group_jid_row_id INTEGER NOT NULL DEFAULT 0,
  is_joinable_group_call INTEGER, call_creator_device_jid_row_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, group_jid_row_id INTEGER NOT NULL,
  user_jid_row_id INTEGER NOT NULL, rank INTEGER, pending INTEGER, add_timestamp INTEGER, label TEXT);
CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT);
"""

WA_SCHEMA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN,
  status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT,
  phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER,
  given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company TEXT, title TEXT);
"""


def fresh(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size = 1024")
    return con


def jid_row(con, raw):
    user, server = raw.split("@")
    cur = con.execute("INSERT INTO jid (user, server, agent, device, type, raw_string) VALUES (?,?,0,0,?,?)",
                      (user, server, 1 if server == "g.us" else 0, raw))
    return cur.lastrowid


def add_message(con, chat, from_me, key, ts, mtype, text, sender=None, status=None):
    cur = con.execute(
        "INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, status, broadcast, recipient_count,"
        " timestamp, received_timestamp, message_type, text_data, starred, sort_id) VALUES (?,?,?,?,?,0,0,?,?,?,?,0,?)",
        (chat, from_me, key, sender, status if status is not None else (13 if from_me else 0), ts,
         ts + 850, mtype, text, ts))
    return cur.lastrowid


def build_wa(path: Path):
    con = fresh(path)
    con.executescript(WA_SCHEMA)
    rows = [
        (MINJI, 1, "+82 10-5550-1234", "민지 Minji", "Minji K"),
        (JUNHO, 1, "+82 10-5550-9999", "준호", "Junho"),
        (ALEX, 1, None, None, "Alex M."),
        (GROUP, 0, None, "콘서트 친구들 (Concert friends)", None),
    ]
    con.executemany("INSERT INTO wa_contacts (jid, is_whatsapp_user, number, display_name, wa_name) VALUES (?,?,?,?,?)", rows)
    con.commit()
    con.close()


def current_base(con):
    """The current-schema content shared by the main fixture; returns row ids the WAL step needs."""
    con.executescript(CURRENT_SCHEMA)
    j_minji, j_junho, j_alex, j_group = (jid_row(con, x) for x in (MINJI, JUNHO, ALEX, GROUP))
    c_minji = con.execute("INSERT INTO chat (jid_row_id, hidden, subject, created_timestamp, archived, group_type)"
                          " VALUES (?,0,NULL,?,0,0)", (j_minji, T0 - 86_400_000)).lastrowid
    c_group = con.execute("INSERT INTO chat (jid_row_id, hidden, subject, created_timestamp, archived, group_type)"
                          " VALUES (?,0,?,?,0,1)", (j_group, "콘서트 친구들 (Concert friends)", T0 - 3_600_000)).lastrowid
    for j in (j_minji, j_junho, j_alex):
        con.execute("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending, add_timestamp)"
                    " VALUES (?,?,0,0,?)", (j_group, j, T0 - 3_600_000))
    # Group created by the owner: a system message (type 7) with action_type 11.
    m = add_message(con, c_group, 1, "3EB0C0FFEE0000000001", T0 - 3_600_000, 7, None)
    con.execute("INSERT INTO message_system VALUES (?, 11)", (m,))
    con.execute("INSERT INTO message_system_group VALUES (?, 1)", (m,))
    add_message(con, c_minji, 0, "3EB0A1B2C3D4E5F60001", T0, 0, "안녕 서연! 콘서트 사진 있어?")
    add_message(con, c_minji, 1, "3EB0A1B2C3D4E5F60002", T0 + MIN + 15_250, 0, "응 잠깐만 Sure, one sec")
    photo = add_message(con, c_minji, 0, "3EB0A1B2C3D4E5F60003", T0 + 2 * MIN + 30_500, 1, "콘서트 사진 🎤")
    con.execute("INSERT INTO message_media (message_row_id, chat_row_id, transferred, file_path, file_size, width, height,"
                " mime_type, media_name, file_hash, media_caption) VALUES (?,?,1,?,?,?,?,?,?,?,?)",
                (photo, c_minji, "Media/WhatsApp Images/IMG-20240828-WA0001.jpg", 48213, 320, 240, "image/jpeg",
                 None, "q5kP3mJ0a8c2m5xC1d4gT9yKxw0XbV2uRzL6nYp8s1A=", "콘서트 사진 🎤"))
    reply = add_message(con, c_minji, 1, "3EB0A1B2C3D4E5F60004", T0 + 3 * MIN, 0, "와 대박 Wow")
    con.execute("INSERT INTO message_quoted (message_row_id, chat_row_id, parent_message_chat_row_id, from_me,"
                " sender_jid_row_id, key_id, timestamp, message_type, text_data) VALUES (?,?,?,0,NULL,?,?,1,?)",
                (reply, c_minji, c_minji, "3EB0A1B2C3D4E5F60003", T0 + 2 * MIN + 30_500, "콘서트 사진 🎤"))
    revoked = add_message(con, c_minji, 0, "3EB0A1B2C3D4E5F60005", T0 + 4 * MIN, 15, None)
    con.execute("INSERT INTO message_revoked VALUES (?,?,NULL,?)", (revoked, "3EB0DEADBEEF00000005", T0 + 4 * MIN + 10_000))
    edited = add_message(con, c_minji, 1, "3EB0A1B2C3D4E5F60006", T0 + 5 * MIN, 0, "내일 7시에 만나 (see you at 7)")
    con.execute("INSERT INTO message_edit_info VALUES (?,?,?,?)", (edited, "3EB0A1B2C3D4E5F60006", T0 + 6 * MIN + 40_000, T0 + 5 * MIN))
    add_message(con, c_group, 0, "3EB0B0B0B0B000000010", T0 + 10 * MIN, 0, "사진 다시 보내줘 pls", sender=j_junho)
    fwd = add_message(con, c_group, 1, "3EB0B0B0B0B000000011", T0 + 11 * MIN, 0, "공연 8시 시작 (Show starts at 8)")
    con.execute("INSERT INTO message_forwarded VALUES (?, 1, 0)", (fwd,))
    loc = add_message(con, c_group, 0, "3EB0B0B0B0B000000012", T0 + 12 * MIN, 5, None, sender=j_alex)
    con.execute("INSERT INTO message_location (message_row_id, chat_row_id, latitude, longitude, place_name) VALUES (?,?,?,?,?)",
                (loc, c_group, 37.5665, 126.978, "Seoul Olympic Park"))
    add_message(con, c_group, 0, "3EB0B0B0B0B000000013", T0 + 13 * MIN, 0, "Thanks! 👍", sender=j_alex)
    # An incoming voice call from Minji (65 s) and a missed group video call started by Jun-ho.
    con.execute("INSERT INTO call_log (jid_row_id, from_me, call_id, transaction_id, timestamp, video_call, duration,"
                " call_result, bytes_transferred, group_jid_row_id) VALUES (?,0,?,1,?,0,65,5,81234,0)",
                (j_minji, "CALL-0001", T0 + 6 * 3_600_000))
    con.execute("INSERT INTO call_log (jid_row_id, from_me, call_id, transaction_id, timestamp, video_call, duration,"
                " call_result, bytes_transferred, group_jid_row_id) VALUES (?,0,?,2,?,1,0,2,0,?)",
                (j_junho, "CALL-0002", T0 + 7 * 3_600_000, j_group))
    con.execute("INSERT INTO props (key, value) VALUES ('db_version', '1')")
    return c_minji, c_group, j_junho


def build_current(folder: Path):
    """current/: msgstore.db whose two newest messages exist only in msgstore.db-wal, plus wa.db."""
    db = folder / "msgstore.db"
    con = fresh(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA wal_autocheckpoint = 0")
    c_minji, c_group, j_junho = current_base(con)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    add_message(con, c_minji, 0, "3EB0A1B2C3D4E5F60020", T0 + 19 * 3_600_000, 0, "WAL에만 있는 메시지 (only in the WAL)")
    add_message(con, c_group, 0, "3EB0B0B0B0B000000021", T0 + 19 * 3_600_000 + 5 * MIN, 0, "마지막 메시지 last one", sender=j_junho)
    con.commit()
    # Copy while the writer is open: the newest rows are in the -wal only.
    snap = folder / "snap"
    snap.mkdir(exist_ok=True)
    shutil.copyfile(db, snap / "msgstore.db")
    shutil.copyfile(str(db) + "-wal", snap / "msgstore.db-wal")
    con.close()
    for name in ("msgstore.db", "msgstore.db-wal"):
        os.replace(snap / name, folder / name)
    snap.rmdir()
    shm = Path(str(db) + "-shm")
    if shm.exists():
        shm.unlink()
    build_wa(folder / "wa.db")


LEGACY_SCHEMA = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER,
  key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER, media_url TEXT,
  media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT, media_caption TEXT,
  media_hash TEXT, media_duration INTEGER, origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT,
  remote_resource TEXT, received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER,
  raw_data BLOB, recipient_count INTEGER, participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER,
  mentioned_jids TEXT, edit_version INTEGER, forwarded INTEGER);
CREATE UNIQUE INDEX messages_key_index ON messages (key_remote_jid, key_from_me, key_id);
CREATE TABLE messages_quotes (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER,
  key_id TEXT NOT NULL, data TEXT, timestamp INTEGER, media_wa_type TEXT, remote_resource TEXT);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE, message_table_id INTEGER,
  subject TEXT, creation INTEGER, last_read_message_table_id INTEGER, archived INTEGER, sort_timestamp INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL, jid TEXT NOT NULL,
  admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
"""

# 2021-03-15T03:00:00Z
L0 = 1615777200000


def legacy_insert(con, jid, from_me, key, ts, data, wa_type="0", sender=None, status=None, **media):
    cols = {"key_remote_jid": jid, "key_from_me": from_me, "key_id": key, "status": status if status is not None else (13 if from_me else 0),
            "needs_push": 0, "data": data, "timestamp": ts, "media_wa_type": wa_type, "remote_resource": sender,
            "received_timestamp": ts + 700, "recipient_count": 0, "starred": 0}
    cols.update(media)
    names = ",".join(cols)
    return con.execute(f"INSERT INTO messages ({names}) VALUES ({','.join('?' * len(cols))})", tuple(cols.values())).lastrowid


def legacy_content(con, with_chat_list=True):
    con.executescript(LEGACY_SCHEMA)
    # Real legacy stores begin with a placeholder row whose key_remote_jid is "-1".
    legacy_insert(con, "-1", 0, "-1", 0, None, status=-1)
    legacy_insert(con, MINJI, 0, "LEGACY0000000000A001", L0, "오랜만이야! Long time no see")
    legacy_insert(con, MINJI, 1, "LEGACY0000000000A002", L0 + MIN, "잘 지냈어? How are you?")
    legacy_insert(con, MINJI, 0, "LEGACY0000000000A003", L0 + 2 * MIN, None, wa_type="1",
                  media_mime_type="image/jpeg", media_size=35120, media_name="IMG-20210315-WA0003.jpg",
                  media_caption="옛날 사진 old photo", media_url="https://mmg.whatsapp.net/d/f/example.enc")
    q = con.execute("INSERT INTO messages_quotes (key_remote_jid, key_from_me, key_id, data, timestamp, media_wa_type)"
                    " VALUES (?,0,?,?,?,'1')", (MINJI, "LEGACY0000000000A003", "옛날 사진 old photo", L0 + 2 * MIN)).lastrowid
    legacy_insert(con, MINJI, 1, "LEGACY0000000000A004", L0 + 3 * MIN, "기억난다 I remember", quoted_row_id=q)
    legacy_insert(con, MINJI, 0, "LEGACY0000000000A005", L0 + 4 * MIN, None, wa_type="15", edit_version=7)
    legacy_insert(con, GROUP, 1, "LEGACY0000000000B001", L0 - 3_600_000, None, status=6, media_size=11)
    legacy_insert(con, GROUP, 0, "LEGACY0000000000B002", L0 + 10 * MIN, "단체방 안녕 hi all", sender=JUNHO)
    legacy_insert(con, GROUP, 1, "LEGACY0000000000B003", L0 + 11 * MIN, "전달된 메시지 forwarded note", forwarded=1)
    if with_chat_list:
        con.execute("INSERT INTO chat_list (key_remote_jid, subject, creation, archived) VALUES (?,NULL,?,0)", (MINJI, L0 - 86_400_000))
        con.execute("INSERT INTO chat_list (key_remote_jid, subject, creation, archived) VALUES (?,?,?,0)",
                    (GROUP, "콘서트 친구들 (Concert friends)", L0 - 3_600_000))
    for j in (MINJI, JUNHO, ALEX):
        con.execute("INSERT INTO group_participants (gjid, jid, admin, pending, sent_sender_key) VALUES (?,?,0,0,1)", (GROUP, j))
    con.execute("INSERT INTO group_participants (gjid, jid, admin, pending, sent_sender_key) VALUES (?,'',2,0,0)", (GROUP,))


def build_legacy(folder: Path):
    con = fresh(folder / "msgstore.db")
    legacy_content(con)
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    build_wa(folder / "wa.db")


def build_transitional(folder: Path):
    """Both schemas: the legacy table plus the new one holding two of the same messages and one new."""
    con = fresh(folder / "msgstore.db")
    legacy_content(con, with_chat_list=True)
    con.executescript(CURRENT_SCHEMA)
    j_minji, j_group, j_junho = (jid_row(con, x) for x in (MINJI, GROUP, JUNHO))
    c_minji = con.execute("INSERT INTO chat (jid_row_id, hidden, subject, archived, group_type) VALUES (?,0,NULL,0,0)", (j_minji,)).lastrowid
    c_group = con.execute("INSERT INTO chat (jid_row_id, hidden, subject, archived, group_type) VALUES (?,0,?,0,1)",
                          (j_group, "콘서트 친구들 (Concert friends)")).lastrowid
    # Same keys as legacy rows A001 and B002: migrated copies, read once.
    add_message(con, c_minji, 0, "LEGACY0000000000A001", L0, 0, "오랜만이야! Long time no see")
    add_message(con, c_group, 0, "LEGACY0000000000B002", L0 + 10 * MIN, 0, "단체방 안녕 hi all", sender=j_junho)
    add_message(con, c_minji, 1, "NEW00000000000000001", L0 + 30 * MIN, 0, "새 스키마 메시지 new schema")
    con.commit()
    con.close()


# ---------------------------------------------------------------- hostile variants

def build_hostile(folder: Path):
    # Only the message table: no chat, jid or any side table.
    con = fresh(folder / "missing-tables" / "msgstore.db")
    con.execute("CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER, from_me INTEGER,"
                " key_id TEXT, timestamp INTEGER, message_type INTEGER, text_data TEXT)")
    con.execute("INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data) VALUES (3,0,'K1',?,0,'고아 메시지 orphan')", (T0,))
    con.execute("INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data) VALUES (3,1,'K2',?,0,'reply')", (T0 + MIN,))
    con.commit(); con.close()

    # Every nullable column NULL (tables declared without NOT NULL), in both schemas' main tables.
    con = fresh(folder / "nulls" / "msgstore.db")
    con.executescript(CURRENT_SCHEMA.replace("NOT NULL", ""))
    con.execute("INSERT INTO jid (_id) VALUES (1)")
    con.execute("INSERT INTO chat (_id) VALUES (1)")
    con.execute("INSERT INTO chat (_id, jid_row_id) VALUES (2, 1)")
    for _ in range(3):
        con.execute("INSERT INTO message (chat_row_id, from_me, key_id, sort_id) VALUES (NULL, NULL, NULL, NULL)")
    con.execute("INSERT INTO message (chat_row_id) VALUES (2)")
    con.execute("INSERT INTO message_media (message_row_id) VALUES (1)")
    con.execute("INSERT INTO message_quoted (message_row_id) VALUES (1)")
    con.execute("INSERT INTO message_revoked (message_row_id) VALUES (2)")
    con.execute("INSERT INTO message_edit_info (message_row_id) VALUES (3)")
    con.execute("INSERT INTO message_system (message_row_id) VALUES (3)")
    con.execute("INSERT INTO call_log (_id) VALUES (1)")
    con.execute("INSERT INTO group_participant_user (_id) VALUES (1)")
    con.commit(); con.close()

    # Wrong column types: SQLite keeps whatever was stored.
    con = fresh(folder / "wrong-types" / "msgstore.db")
    con.executescript(CURRENT_SCHEMA)
    con.execute("INSERT INTO jid (_id, user, server, raw_string) VALUES (1, 'x', 'y', 12345)")
    con.execute("INSERT INTO jid (_id, user, server, raw_string) VALUES (2, 'u', 's.whatsapp.net', X'FFFE00')")
    con.execute("INSERT INTO chat (_id, jid_row_id, subject) VALUES (1, 1, X'C3A9')")
    con.execute("INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type, text_data, sender_jid_row_id)"
                " VALUES (1, 1, 'yes', X'0102', 'yesterday', 'text', X'FF00FF', 'abc')")
    con.execute("INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type, text_data)"
                " VALUES (2, 'abc', 0, 'K2', 1724825400000.5, 0, 'fine text')")
    con.execute("INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type, text_data)"
                " VALUES (3, 1, 1, 'K3', 99999999999999999, 1, 'huge time')")
    con.execute("INSERT INTO message_media (message_row_id, file_path, file_size, mime_type) VALUES (3, 42, 'big', X'00')")
    con.execute("INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration)"
                " VALUES (1, 'who', 0, X'01', 'noon', 'maybe', 'long')")
    con.commit(); con.close()

    # A zip renamed msgstore.db, and a zero-byte file.
    z = folder / "zip" / "msgstore.db"
    z.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("msgstore.db", date_time=(2024, 8, 28, 15, 0, 0))
        zf.writestr(info, b"not really a database\n")
    e = folder / "empty" / "msgstore.db"
    e.parent.mkdir(parents=True, exist_ok=True)
    e.write_bytes(b"")


def build_backups(folder: Path):
    """Encrypted backups as found in …/WhatsApp/Databases/: opaque bytes behind a version-shaped name."""
    rng = random.Random(20240828)
    folder.mkdir(parents=True, exist_ok=True)
    for name, size in (("msgstore-2024-08-27.1.db.crypt14", 1536), ("msgstore.db.crypt15", 2048)):
        (folder / name).write_bytes(bytes(rng.randrange(256) for _ in range(size)))


# ---------------------------------------------------------------- big databases

def build_big(count: int, out: Path):
    """OUTDIR/msgstore.db in the current schema: `count` messages over 50 chats (10 groups of 5).

    No randomness: message n (0-based, rowid n+1) is in chat n % 50, from the owner when
    n % 3 == 0, a photo when n % 97 == 0, sent at T0 + n seconds, its text the words
    WORDS[(n + k) % 12] for k < 1 + n % 8 joined by spaces (the tests recompute these)."""
    con = fresh(out / "msgstore.db")
    con.execute("PRAGMA page_size = 4096")
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(CURRENT_SCHEMA)
    users = [jid_row(con, f"8210{5550000 + i:08d}@s.whatsapp.net") for i in range(200)]
    chats = []
    for i in range(50):
        if i < 10:
            g = jid_row(con, f"1203630{i:011d}@g.us")
            c = con.execute("INSERT INTO chat (jid_row_id, subject, group_type) VALUES (?,?,1)", (g, f"그룹 {i} group")).lastrowid
            members = [users[(i * 5 + k) % 200] for k in range(5)]
            con.executemany("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id) VALUES (?,?)",
                            [(g, m) for m in members])
            chats.append((c, members))
        else:
            c = con.execute("INSERT INTO chat (jid_row_id, group_type) VALUES (?,0)", (users[i],)).lastrowid
            chats.append((c, None))
    batch = []
    media = []
    for n in range(count):
        c, members = chats[n % 50]
        from_me = 1 if n % 3 == 0 else 0
        sender = None if from_me or members is None else members[n % 5]
        mtype = 1 if n % 97 == 0 else 0
        text = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(1 + n % 8))
        batch.append((n + 1, c, from_me, f"BIG{n:017d}", sender, T0 + n * 1000, mtype, text))
        if mtype == 1:
            media.append((n + 1, c, f"Media/WhatsApp Images/IMG-20240828-WA{n:05d}.jpg", 1000 + n, "image/jpeg"))
        if len(batch) == 50_000:
            flush_big(con, batch, media)
            batch, media = [], []
    flush_big(con, batch, media)
    con.commit()
    con.close()


WORDS = ["안녕", "사진", "영상", "내일", "만나", "hello", "photo", "see", "you", "ok", "ㅋㅋㅋ", "좋아"]


def flush_big(con, batch, media):
    con.executemany("INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type,"
                    " text_data, sort_id) VALUES (?,?,?,?,?,?,?,?,0)", batch)
    con.executemany("INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type) VALUES (?,?,?,?,?)", media)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        build_big(int(sys.argv[2]), Path(sys.argv[3]))
        return
    build_current(HERE / "current")
    build_legacy(HERE / "legacy")
    build_transitional(HERE / "transitional")
    build_hostile(HERE / "hostile")
    build_backups(HERE / "backups")


if __name__ == "__main__":
    main()
