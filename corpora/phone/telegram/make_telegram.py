#!/usr/bin/env python3
"""Writes the Telegram for Android cache4.db fixtures of corpora/phone/telegram (README.md there).

Usage:
  make_telegram.py                      all committed fixtures, into this folder
  make_telegram.py --big N --out DIR    DIR/cache4.db with N messages (tests, benchmarks; not committed)

Deterministic: fixed ids, times and contents; no randomness except a seeded generator for the
"random bytes" fixture. Tables carry the real names and column types of Telegram for Android's
MessagesStorage (a subset of tables); the TL blobs come from tl.py, our own serializer.
"""
import os
import random
import shutil
import sqlite3
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

SCHEMA = [
    "CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB)",
    "CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB)",
    "CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB, g BLOB, authkey BLOB, "
    "ttl INTEGER, layer INTEGER, seq_in INTEGER, seq_out INTEGER, use_count INTEGER, exchange_id INTEGER, "
    "key_date INTEGER, fprint INTEGER, fauthkey BLOB, khash BLOB, in_seq_no INTEGER, admin_id INTEGER, mtproto_seq INTEGER)",
    "CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER, last_mid INTEGER, "
    "inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER, unread_count_i INTEGER, pts INTEGER, date_i INTEGER, "
    "pinned INTEGER, flags INTEGER, folder_id INTEGER, data BLOB, unread_reactions INTEGER, last_mid_group INTEGER, "
    "ttl_period INTEGER)",
    "CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER, date INTEGER, "
    "data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB, imp INTEGER, mention INTEGER, "
    "forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, "
    "custom_params BLOB, group_id INTEGER, reply_to_story_id INTEGER, PRIMARY KEY(mid, uid))",
    "CREATE INDEX uid_mid_read_out_idx_messages_v2 ON messages_v2(uid, mid, read_state, out)",
    "CREATE INDEX uid_date_mid_idx_messages_v2 ON messages_v2(uid, date, mid)",
]

# The synthetic phone: the device owner 서연 (Seoyeon) and her contacts.
OWNER = 100000001
MINJUN = 100000002
JIWOO = 100000003
OLD_FRIEND = 55501  # a layer <= 132 user (int32 id)
GROUP = 200001
CHANNEL = 1300000001
SECRET = 7001
SECRET_DID = 0x4000000000000000 | SECRET
T0 = 1724853600  # 2024-08-28T14:00:00Z

USERS = [
    dict(id=OWNER, first="서연", last="(Seoyeon)", username="seoyeon_k", phone="821055501001", self=True),
    dict(id=MINJUN, first="민준", last="Kim", username="minjun_kim", phone="821055501002", contact=True),
    dict(id=JIWOO, first="Jiwoo", last="Park", phone="821055501003", contact=True),
    dict(id=OLD_FRIEND, first="Old", last="Friend", legacy=True),
]
CHATS = [
    dict(kind="chat", id=GROUP, title="서울 스터디 Seoul Study", date=T0 + 3000, members=4, creator=True),
    dict(kind="channel", id=CHANNEL, title="Daily 뉴스 Channel", username="daily_news_kr", date=T0 - 86400,
         broadcast=True),
]

TELEGRAM_IMAGES = "/storage/emulated/0/Telegram/Telegram Images/"
KNOWN_PICTURE = "/storage/emulated/0/DCIM/Camera/IMG_20240828_151203.jpg"


def photo_media(pid, date, w=1280, h=960, size=183204):
    return dict(type="photo", photo=dict(id=pid, access_hash=0x5151, date=date,
                                         sizes=[("s", 90, 68, 1630), ("x", w, h, size)]))


def doc_media(did, date, mime, size, name=None, extra=(), old=False):
    attrs = list(extra) + ([("filename", name)] if name else [])
    return dict(type="document", document=dict(id=did, access_hash=0x6161, date=date, mime=mime, size=size,
                                               attributes=attrs, old=old))


def main_messages():
    """(dialog id, mid, date, out, blob) rows of the main fixture, in insertion order."""
    rows = []

    def add(did, m, blob=None):
        rows.append((did, m["id"], m["date"], 1 if m.get("out") else 0, blob or tl.message(m)))

    def svc(did, m):
        rows.append((did, m["id"], m["date"], 1 if m.get("out") else 0, tl.service(m)))

    dm = ("user", MINJUN)
    t1 = "안녕 서연! Are we still meeting tomorrow? #study"
    add(MINJUN, dict(id=1, peer=dm, date=T0, text=t1,
                     entities=[("hashtag",) + tl.utf16_offset(t1, "#study")]))
    t2 = "Yes — 3pm at 강남역 https://example.org/map"
    add(MINJUN, dict(id=2, out=True, from_id=("user", OWNER), peer=dm, date=T0 + 60, text=t2, reply=dict(msg_id=1),
                     entities=[("bold",) + tl.utf16_offset(t2, "3pm"), ("url",) + tl.utf16_offset(t2, "https://example.org/map")]))
    add(MINJUN, dict(id=3, out=True, from_id=("user", OWNER), peer=dm, date=T0 + 120, text="사진 보내요 📷",
                     media=photo_media(5402285916542734721, T0 + 120),
                     path=TELEGRAM_IMAGES + "5402285916542734721_121.jpg"))
    add(MINJUN, dict(id=4, peer=dm, date=T0 + 180, text="Got it, thanks (edited)", edit_date=T0 + 240))
    svc(MINJUN, dict(id=5, out=True, from_id=("user", OWNER), peer=dm, date=T0 + 300,
                     action=dict(type="phone_call", call_id=88001, reason="hangup", duration=125)))
    svc(MINJUN, dict(id=6, peer=dm, date=T0 + 360, action=dict(type="screenshot_taken")))
    svc(MINJUN, dict(id=7, out=True, from_id=("user", OWNER), peer=dm, date=T0 + 420,
                     action=dict(type="set_messages_ttl", period=86400)))
    svc(MINJUN, dict(id=8, peer=dm, date=T0 + 480, action=dict(type="history_clear")))

    g = ("chat", GROUP)
    svc(-GROUP, dict(id=20, out=True, from_id=("user", OWNER), peer=g, date=T0 + 3000,
                     action=dict(type="create_group", title="서울 스터디 Seoul Study", users=[MINJUN, JIWOO])))
    svc(-GROUP, dict(id=21, out=True, from_id=("user", OWNER), peer=g, date=T0 + 3060,
                     action=dict(type="invite_members", users=[OLD_FRIEND])))
    # The older constructor (layer 119-132): message#58ae39c9 with int32 peers.
    add(-GROUP, dict(ctor=0x58AE39C9, id=22, from_id=("user", OLD_FRIEND), peer=g, date=T0 + 3120,
                     text="Hello from an old client 👋"))
    add(-GROUP, dict(id=23, from_id=("user", JIWOO), peer=g, date=T0 + 3180, text="앨범 1/2", grouped_id=13579246801,
                     media=photo_media(5402285916542734801, T0 + 3180, 800, 600, 90211),
                     path=TELEGRAM_IMAGES + "5402285916542734801_121.jpg"))
    add(-GROUP, dict(id=24, from_id=("user", JIWOO), peer=g, date=T0 + 3180, grouped_id=13579246801,
                     media=photo_media(5402285916542734802, T0 + 3180, 800, 600, 88410)))
    # The shared known picture, sent by the owner as a file from her camera folder.
    add(-GROUP, dict(id=25, out=True, from_id=("user", OWNER), peer=g, date=T0 + 4360, text="이거 봐 look",
                     media=doc_media(5402285916542734900, T0 + 4360, "image/jpeg", 245760,
                                     "IMG_20240828_151203.jpg", [("image_size", 4032, 3024)]),
                     path=KNOWN_PICTURE))
    # Layer 133-135 constructor (64-bit peers, no reactions).
    add(-GROUP, dict(ctor=0x85D6CBE2, id=26, from_id=("user", MINJUN), peer=g, date=T0 + 4420, text="Breaking: 뉴스 속보",
                     fwd=dict(from_id=("channel", CHANNEL), date=T0 - 3600, channel_post=41)))
    svc(-GROUP, dict(id=27, out=True, from_id=("user", OWNER), peer=g, date=T0 + 4500,
                     action=dict(type="remove_members", user=OLD_FRIEND)))
    svc(-GROUP, dict(id=28, from_id=("user", JIWOO), peer=g, date=T0 + 4560,
                     action=dict(type="join_by_link", inviter=OWNER)))

    ch = ("channel", CHANNEL)
    add(-CHANNEL, dict(id=40, peer=ch, post=True, date=T0 - 7200, text="오늘의 뉴스 Today's news", views=1204,
                       post_author="Editor Lee"))
    # Layer 136-165 constructor with reactions and an auto-delete period.
    add(-CHANNEL, dict(ctor=0x38116EE0, id=41, peer=ch, post=True, date=T0 - 3600, text="Breaking: 뉴스 속보", views=980,
                       reactions=[("👍", 12), ("😮", 3)], ttl_period=604800))
    add(-CHANNEL, dict(id=42, peer=ch, post=True, date=T0 - 1800, text="Weekly report",
                       media=doc_media(5402285916542735000, T0 - 1800, "application/pdf", 48213, "report-2024-35.pdf"),
                       path="/storage/emulated/0/Telegram/Telegram Documents/report-2024-35.pdf"))

    # The archived dialog (dialogs.folder_id = 1): Jiwoo, one voice note not saved on the device.
    add(JIWOO, dict(id=60, peer=("user", JIWOO), date=T0 + 5000, text="",
                    media=doc_media(5402285916542735100, T0 + 5000, "audio/ogg", 12034, None, [("audio", 7, True)])))

    # A message still being sent: a negative local id, the client's ||key|=|value|| parameters
    # in front of the path.
    add(JIWOO, dict(id=-210000, out=True, from_id=("user", OWNER), peer=("user", JIWOO), date=T0 + 5100, text="보내는 중 sending",
                    media=photo_media(0, T0 + 5100),
                    path="||originalPath|=|/storage/emulated/0/DCIM/Camera/IMG_20240828_160500.jpg||"
                         "/storage/emulated/0/Telegram/Telegram Images/pending_210000.jpg"))

    # The secret chat with Minjun (ordinary constructor; see README).
    add(SECRET_DID, dict(id=1, peer=("user", MINJUN), date=T0 + 6000, text="비밀 메시지 secret", from_id=("user", MINJUN)))
    return rows


def wal_messages():
    """Rows written after the last checkpoint: they exist only in cache4.db-wal."""
    dm = ("user", MINJUN)
    return [
        (MINJUN, 9, T0 + 7200, 0, tl.message(dict(id=9, peer=dm, date=T0 + 7200, text="WAL에만 있는 메시지 (WAL only)"))),
        (MINJUN, 10, T0 + 7260, 1, tl.message(dict(id=10, out=True, from_id=("user", OWNER), peer=dm, date=T0 + 7260,
                                                 text="지워도 남아 — still here"))),
        (-GROUP, 29, T0 + 7300, 0, tl.message(dict(id=29, from_id=("user", MINJUN), peer=("chat", GROUP),
                                                  date=T0 + 7300, text="last group message (WAL)"))),
    ]


def insert_messages(db, rows):
    db.executemany(
        "INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out, ttl, media, imp, mention, forwards,"
        " thread_reply_id, is_channel, reply_to_message_id, group_id) VALUES (?,?,1,0,?,?,?,0,0,0,0,0,0,?,0,0)",
        [(mid, did, date, blob, out, 1 if did < 0 and -did == CHANNEL else 0) for did, mid, date, out, blob in rows])


def base_tables(db, users=USERS, chats=CHATS):
    for s in SCHEMA:
        db.execute(s)
    db.execute("PRAGMA user_version = 115")
    for u in users:
        name = (u.get("first", "") + " " + u.get("last", "")).strip().lower()
        if "username" in u:
            name += ";;;" + u["username"].lower()
        db.execute("INSERT INTO users(uid, name, status, data) VALUES (?,?,?,?)", (u["id"], name, 0, tl.user(u)))
    for c in chats:
        db.execute("INSERT INTO chats(uid, name, data) VALUES (?,?,?)", (c["id"], c["title"].lower(), tl.chat(c)))


def remove_db(path):
    """Removes a database and the files SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def write_main(folder):
    path = os.path.join(folder, "cache4.db")
    remove_db(path)
    tmp = path + ".tmp"
    remove_db(tmp)
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("BEGIN")
    base_tables(db)
    db.execute("INSERT INTO enc_chats(uid, user, name, data, g, authkey, ttl, layer, seq_in, seq_out, use_count,"
               " exchange_id, key_date, fprint, in_seq_no, admin_id, mtproto_seq) VALUES (?,?,?,?,?,?,?,?,0,0,0,0,?,0,0,?,0)",
               (SECRET, MINJUN, "민준 kim", tl.encrypted_chat(dict(id=SECRET, date=T0 + 5900, admin_id=MINJUN,
                                                                  participant_id=OWNER)),
                b"\x02" * 16, b"\x03" * 32, 10, 144, T0 + 5900, MINJUN))
    dialogs = [(MINJUN, T0 + 480, 8, 0), (-GROUP, T0 + 4560, 28, 0), (-CHANNEL, T0 - 1800, 42, 0),
               (JIWOO, T0 + 5000, 60, 1), (SECRET_DID, T0 + 6000, 1, 0)]
    db.executemany("INSERT INTO dialogs(did, date, unread_count, last_mid, inbox_max, outbox_max, last_mid_i,"
                   " unread_count_i, pts, date_i, pinned, flags, folder_id, unread_reactions, last_mid_group, ttl_period)"
                   " VALUES (?,?,0,?,0,0,0,0,0,0,0,0,?,0,0,0)", dialogs)
    insert_messages(db, main_messages())
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("BEGIN")
    insert_messages(db, wal_messages())
    db.execute("UPDATE dialogs SET last_mid = 10, date = ? WHERE did = ?", (T0 + 7260, MINJUN))
    db.execute("COMMIT")
    # Copy the database and its WAL while the writer is still open: the tail stays in the WAL.
    shutil.copyfile(tmp, path)
    shutil.copyfile(tmp + "-wal", path + "-wal")
    db.close()
    remove_db(tmp)


def plain_db(path, build):
    remove_db(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("BEGIN")
    build(db)
    db.execute("COMMIT")
    db.execute("VACUUM")
    db.close()


def hostile_rows():
    """(mid, data) rows of dialog MINJUN in hostile-blobs/cache4.db; the README lists what each breaks."""
    good = tl.message(dict(id=1, peer=("user", OWNER), date=T0, text="good row before the bad ones"))
    photo = tl.message(dict(id=5, out=True, from_id=("user", OWNER), peer=("user", MINJUN), date=T0 + 40,
                            text="caption kept", media=photo_media(77, T0 + 40),
                            path=TELEGRAM_IMAGES + "77_1.jpg"))
    # An unknown constructor: a later layer's message whose field list is not known.
    unknown = tl.W().u32(0x9815CEC8).i32(0).i32(0).i32(3).raw(b"\x11" * 40).out()
    # A string whose 0xFE length runs far past the blob's end.
    long_len = tl.W().u32(0x94345242).i32(0).i32(0).i32(4).u32(0x59511722).i64(OWNER).i32(T0 + 30).raw(
        b"\xfe\xff\xff\x7f" + b"abc").out()
    # Entities vector declaring 0x7fffffff elements with 8 bytes left.
    huge_vec = tl.W().u32(0x94345242).i32(1 << 7).i32(0).i32(6).u32(0x59511722).i64(OWNER).i32(T0 + 50).string(
        "huge vector").u32(tl.VECTOR).i32(0x7FFFFFFF).raw(b"\0" * 8).out()
    # Vectors nested in vectors, thousands deep, where the entities should be.
    deep = tl.W().u32(0x94345242).i32(1 << 7).i32(0).i32(7).u32(0x59511722).i64(OWNER).i32(T0 + 60).string(
        "deep vectors").raw((tl.VECTOR.to_bytes(4, "little") + (1).to_bytes(4, "little")) * 4000).out()
    # An unknown media constructor after a readable text.
    unknown_media = tl.W().u32(0x94345242).i32(1 << 9).i32(0).i32(8).u32(0x59511722).i64(OWNER).i32(T0 + 70).string(
        "media of a later layer").u32(0xDDDDDDDD).raw(b"\x01" * 12).string(" ").out()
    # An unknown service action.
    unknown_action = tl.service(dict(id=9, peer=("user", OWNER), date=T0 + 80, action=dict(type="unknown", ctor=0xEEEE0001)))
    return [
        (1, T0, good),
        (2, T0 + 10, good[:17]),                                   # truncated mid-peer
        (3, T0 + 20, unknown),
        (4, T0 + 30, long_len),
        (5, T0 + 40, photo),
        (6, T0 + 50, huge_vec),
        (7, T0 + 60, deep),
        (8, T0 + 70, unknown_media),
        (9, T0 + 80, unknown_action),
        (10, T0 + 90, bytes(random.Random(11).getrandbits(8) for _ in range(64))),  # garbage
        (11, T0 + 100, None),                                      # NULL data
        (12, T0 + 110, b""),                                       # empty blob
    ]


def write_hostile(folder):
    def build(db):
        base_tables(db)
        db.executemany("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out) VALUES (?,?,1,0,?,?,0)",
                       [(mid, MINJUN, date, data) for mid, date, data in hostile_rows()])
        # A user and a chat whose blobs are garbage: names fall back to the (lower-cased) name column.
        db.execute("INSERT INTO users(uid, name, status, data) VALUES (?,?,0,?)", (9001, "broken user", b"\x01\x02\x03"))
        db.execute("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out) VALUES (?,?,1,0,?,?,0)",
                   (1, 9001, T0 + 200, tl.message(dict(id=1, peer=("user", OWNER), date=T0 + 200, text="from a broken user"))))
        # A dialog id that is not an integer.
        db.execute("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out) VALUES (1, 'x', 1, 0, 0, NULL, 0)")
    plain_db(os.path.join(folder, "hostile-blobs", "cache4.db"), build)


def write_missing_tables(folder):
    def build(db):
        db.execute(SCHEMA[4].replace(", replies_data BLOB", "").replace(", custom_params BLOB", ""))
        db.execute("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out) VALUES (?,?,1,0,?,?,1)",
                   (1, MINJUN, T0, tl.message(dict(id=1, out=True, from_id=("user", OWNER), peer=("user", MINJUN),
                                                   date=T0, text="only messages_v2 here"))))
    plain_db(os.path.join(folder, "missing-tables", "cache4.db"), build)


def write_not_databases(folder):
    for name in ("zero-byte", "zip", "random"):
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    open(os.path.join(folder, "zero-byte", "cache4.db"), "wb").close()
    zpath = os.path.join(folder, "zip", "cache4.db")
    with zipfile.ZipFile(zpath, "w") as z:
        info = zipfile.ZipInfo("cache4.db", date_time=(2024, 8, 28, 0, 0, 0))
        z.writestr(info, b"not really a database\n")
    rnd = random.Random(4)  # SQLCipher-like: a whole file of uniformly random bytes
    with open(os.path.join(folder, "random", "cache4.db"), "wb") as fh:
        fh.write(bytes(rnd.getrandbits(8) for _ in range(8192)))


def write_big(out_dir, n):
    """N messages over 50 dialogs (text, some photos with paths, some service rows)."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "cache4.db")
    remove_db(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    base_tables(db)
    dialogs = [MINJUN, JIWOO, -GROUP, -CHANNEL] + [300000 + i for i in range(46)]
    batch = []
    for i in range(n):
        did = dialogs[i % len(dialogs)]
        mid = i // len(dialogs) + 1
        date = T0 + i
        out = i % 3 == 0
        if did == -CHANNEL:
            m = dict(id=mid, peer=("channel", CHANNEL), post=True, date=date, text=f"post {i} 뉴스", views=i % 1000)
        elif did == -GROUP:
            m = dict(id=mid, from_id=("user", OWNER if out else MINJUN), out=out, peer=("chat", GROUP), date=date,
                     text=f"group message {i} 안녕하세요")
        else:
            m = dict(id=mid, out=out, peer=("user", did), date=date, text=f"message {i} hello 서연")
            if out:
                m["from_id"] = ("user", OWNER)
        if i % 10 == 5:
            m["media"] = photo_media(10**15 + i, date)
            m["path"] = TELEGRAM_IMAGES + f"{10**15 + i}_121.jpg"
        blob = tl.message(m)
        if i % 97 == 13:
            blob = tl.service(dict(id=mid, peer=m["peer"], date=date, action=dict(type="screenshot_taken")))
        batch.append((mid, did, date, blob, 1 if out else 0, 1 if did == -CHANNEL else 0))
        if len(batch) >= 20000:
            db.executemany("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out, is_channel)"
                           " VALUES (?,?,1,0,?,?,?,?)", batch)
            batch = []
    if batch:
        db.executemany("INSERT INTO messages_v2(mid, uid, read_state, send_state, date, data, out, is_channel)"
                       " VALUES (?,?,1,0,?,?,?,?)", batch)
    db.execute("COMMIT")
    db.close()
    return path


def main(argv):
    if len(argv) >= 3 and argv[1] == "--big":
        n = int(argv[2])
        out = argv[argv.index("--out") + 1] if "--out" in argv else "."
        print(write_big(out, n))
        return
    write_main(HERE)
    write_hostile(HERE)
    write_missing_tables(HERE)
    write_not_databases(HERE)


if __name__ == "__main__":
    main(sys.argv)
