#!/usr/bin/env python3
"""Writes synthetic Telegram for iOS postbox databases (db_sqlite) for Exhibit's tests.

Everything here is our own implementation of the publicly described layout (Telegram-iOS
Postbox/Sources/Coding.swift value types; the MessageIndex key of table t7; the stored message
and t6 media entry layouts as iLEAPP's telegramMesssages.py reads them). No real data.

    python3 make_telegram_ios.py            # rewrites the committed fixtures beside this script
    python3 make_telegram_ios.py --out DIR  # writes them under DIR instead
"""
import os
import shutil
import sqlite3
import struct
import sys
import tempfile

SEED = 0xF7CA7FD2
ACCOUNT = ("/private/var/mobile/Containers/Shared/AppGroup/6A1F0C9E-3B7D-4E21-9A55-0C2D8E4F7B10"
           "/telegram-data/account-8154432157466373651")


def murmur3_32(data: bytes, seed: int) -> int:
    """MurmurHash3 x86 32-bit, returned as a signed 32-bit integer (as Postbox stores it)."""
    c1, c2, m = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & m
    h = seed
    n = len(data) // 4
    for i in range(n):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (rotl((k * c1) & m, 15) * c2) & m
        h ^= k
        h = (rotl(h, 13) * 5 + 0xE6546B64) & m
    tail, k = data[4 * n:], 0
    if len(tail) >= 3: k ^= tail[2] << 16
    if len(tail) >= 2: k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        h ^= (rotl((k * c1) & m, 15) * c2) & m
    h ^= len(data)
    h ^= h >> 16; h = (h * 0x85EBCA6B) & m
    h ^= h >> 13; h = (h * 0xC2B2AE35) & m
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


assert murmur3_32(b"hello", 0) == 0x248BFA47  # the published test vector
assert murmur3_32(b"", 0) == 0


def type_hash(name: str) -> int:
    return murmur3_32(name.encode(), SEED)


# --- Postbox keyed encoding (little-endian) ---------------------------------------------------
def key(k): b = k.encode(); return struct.pack("<B", len(b)) + b
def i32(k, v): return key(k) + b"\x00" + struct.pack("<i", v)
def i64(k, v): return key(k) + b"\x01" + struct.pack("<q", v)
def boolean(k, v): return key(k) + b"\x02" + (b"\x01" if v else b"\x00")
def string(k, v): b = v.encode(); return key(k) + b"\x04" + struct.pack("<i", len(b)) + b
def raw_bytes(k, v): return key(k) + b"\x0a" + struct.pack("<i", len(v)) + v
def obj_body(name, fields): body = b"".join(fields); return struct.pack("<ii", type_hash(name), len(body)) + body
def obj(k, name, fields): return key(k) + b"\x05" + obj_body(name, fields)
def obj_array(k, items): return key(k) + b"\x08" + struct.pack("<i", len(items)) + b"".join(obj_body(n, f) for n, f in items)
def root(name, fields): return obj("_", name, fields)


def user(pid, first, last="", username=None, phone=None):
    f = [i64("i", pid), i64("ah", 0), string("fn", first), string("ln", last)]
    if username: f.append(string("un", username))
    if phone: f.append(string("p", phone))
    return root("TelegramUser", f)


def group(pid, title):
    return root("TelegramGroup", [i64("i", pid), string("t", title), i32("v", 1)])


def photo(photo_id, dc=2):
    reps = [("TelegramMediaImageRepresentation", [i32("dx", w), i32("dy", h), obj("r", "CloudPhotoSizeMediaResource", [
        i32("d", dc), i64("i", photo_id), i64("h", 77), string("s", spec), i32("n", size)])])
        for w, h, spec, size in [(90, 68, "s", 1834), (1280, 960, "y", 24101)]]
    return root("TelegramMediaImage", [raw_bytes("i", struct.pack("<iq", 0, photo_id)), obj_array("r", reps)])


def document(file_id, name, mime, size, dc=4):
    return root("TelegramMediaFile", [
        raw_bytes("i", struct.pack("<iq", 0, file_id)),
        obj("r", "CloudDocumentMediaResource", [i32("d", dc), i64("f", file_id), i64("a", 5), i32("n", size), string("fn", name)]),
        string("mt", mime), i32("s", size)])


# --- table keys and values ------------------------------------------------------------------------
def message_key(peer, ts, mid, ns=0):
    return struct.pack(">qiii", peer, ns, ts, mid)


def message(text, author=None, incoming=True, media=(), refs=(), attrs=(), fwd=None, guid=None, text_bytes=None):
    out = b"\x00" + struct.pack("<II", 1000, 1)
    flags = 1 if guid is not None else 0
    out += struct.pack("<B", flags) + (struct.pack("<q", guid) if guid is not None else b"")
    out += struct.pack("<II", 4 if incoming else 0, 0)
    out += b"\x00" if fwd is None else b"\x01" + struct.pack("<qi", *fwd)
    out += b"\x00" if author is None else b"\x01" + struct.pack("<q", author)
    t = text.encode() if text_bytes is None else text_bytes
    out += struct.pack("<i", len(t)) + t
    out += struct.pack("<i", len(attrs)) + b"".join(struct.pack("<i", len(a)) + a for a in attrs)
    out += struct.pack("<i", len(media)) + b"".join(struct.pack("<i", len(m)) + m for m in media)
    out += struct.pack("<i", len(refs)) + b"".join(struct.pack("<iq", ns, i) for ns, i in refs)
    return out


def media_key(ns, mid): return struct.pack(">iq", ns, mid)
def media_direct(value, refcount=1): return b"\x00" + struct.pack("<i", len(value)) + value + struct.pack("<i", refcount)


def create(con, tables=("t2", "t6", "t7")):
    if "t2" in tables: con.execute("CREATE TABLE t2 (key INTEGER PRIMARY KEY, value BLOB)")
    if "t6" in tables: con.execute("CREATE TABLE t6 (key BLOB PRIMARY KEY, value BLOB)")
    if "t7" in tables: con.execute("CREATE TABLE t7 (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID")


OWNER, MINJI, ALEX, JUNHO = 5550001, 5550002, 5550003, 5550004
GROUP = (1 << 32) | 777001
T0 = 1724825400          # 2024-08-28T06:10:00Z
KNOWN_BAD = 5012345678901234567
PEERS = [(OWNER, user(OWNER, "서연", "(Seoyeon)", "seoyeon_k", "821055500001")),
         (MINJI, user(MINJI, "민지", "Minji", "minji_p")), (ALEX, user(ALEX, "Alex", "M.")),
         (JUNHO, user(JUNHO, "", "", "junho88")), (GROUP, group(GROUP, "콘서트 친구들 (Concert friends)"))]


def main_fixture(out):
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "db_sqlite")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    create(con)
    con.executemany("INSERT INTO t2 VALUES (?, ?)", PEERS)
    con.execute("INSERT INTO t6 VALUES (?, ?)", (media_key(0, KNOWN_BAD), media_direct(photo(KNOWN_BAD))))
    # Media shared by two messages: t6 points back at the message that embeds it (entry type 1).
    con.execute("INSERT INTO t6 VALUES (?, ?)", (media_key(0, 6012345678901234567),
                                                 b"\x01" + struct.pack("<qiii", MINJI, 0, 103, T0 + 120) + struct.pack("<i", 2)))
    rows = [
        (message_key(MINJI, T0, 101), message("안녕 서연! 내일 콘서트 갈 거야?", author=MINJI)),
        (message_key(MINJI, T0 + 60, 102), message("Yes! See you at 7 🙂", author=OWNER, incoming=False, guid=0x1122334455667788)),
        (message_key(MINJI, T0 + 120, 103), message("", incoming=True, media=[photo(6012345678901234567)])),
        (message_key(MINJI, T0 + 180, 104), message("again 다시", author=MINJI, refs=[(0, 6012345678901234567)])),
        (message_key(GROUP, T0 + 3600, 201), message("Who's bringing the tickets?", author=ALEX)),
        (message_key(GROUP, T0 + 3660, 202), message("내가 가져갈게 — I'll bring them", author=OWNER, incoming=False)),
        (message_key(GROUP, T0 + 32523, 203), message("사진 보내요 photo", author=MINJI, refs=[(0, KNOWN_BAD)])),
        (message_key(GROUP, T0 + 32600, 204), message("티켓 tickets", author=JUNHO, fwd=(ALEX, T0 - 86400),
                                                    media=[document(7012345678901234567, "tickets.pdf", "application/pdf", 48213)])),
    ]
    con.executemany("INSERT INTO t7 VALUES (?, ?)", rows)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The newest message exists only in the -wal: written after the checkpoint, never checkpointed.
    con.execute("INSERT INTO t7 VALUES (?, ?)", (message_key(GROUP, T0 + 32700, 205),
                                                 message("WAL only: 마지막 메시지 last message", author=ALEX)))
    con.commit()
    dest = os.path.join(out, "account")
    os.makedirs(dest, exist_ok=True)
    for name in ("db_sqlite", "db_sqlite-wal"):
        shutil.copyfile(os.path.join(tmp, name), os.path.join(dest, name))
    con.close()
    shutil.rmtree(tmp)


def plain(out, name, build, tables=("t2", "t6", "t7")):
    dest = os.path.join(out, "hostile", name)
    os.makedirs(dest, exist_ok=True)
    path = os.path.join(dest, "db_sqlite")
    if os.path.exists(path): os.remove(path)
    con = sqlite3.connect(path)
    create(con, tables)
    build(con)
    con.commit()
    con.close()


def truncated(con):
    con.executemany("INSERT INTO t2 VALUES (?, ?)", PEERS[:2] + [(ALEX, user(ALEX, "Alex", "M.")[:-3])])
    whole = message("이 텍스트는 잘린다 this text is cut", author=MINJI)
    con.executemany("INSERT INTO t7 VALUES (?, ?)", [
        (message_key(MINJI, T0, 1), whole[:40]),                                          # ends inside the text
        (message_key(MINJI, T0 + 1, 2), message("x", author=MINJI).replace(struct.pack("<i", 1) + b"x", struct.pack("<i", 1_000_000) + b"x")),
        (message_key(MINJI, T0 + 2, 3)[:19], message("bad key", author=MINJI)),          # 19-byte key
        (message_key(MINJI, T0 + 3, 4), message("still fine 괜찮아", author=MINJI)),
        (message_key(MINJI, T0 + 4, 6), whole[:6]),                                       # ends inside the header
        (message_key(ALEX, T0 + 4, 5), message("name cut", author=ALEX)),
    ])


def unknown_types(con):
    con.executemany("INSERT INTO t2 VALUES (?, ?)", PEERS)
    odd = root("TelegramMediaImage", [i32("fl", 0), key("zz") + b"\x2a" + b"\x00" * 8])    # value type 42
    poll = root("TelegramMediaPoll", [string("q", "Which day?")])
    deep = b""
    for _ in range(100):
        deep = obj("n", "Nest", [deep] if deep else [])
    deep = root("Nest", [deep])
    con.executemany("INSERT INTO t7 VALUES (?, ?)", [
        (message_key(GROUP, T0, 1), message("odd media 이상한 미디어", author=MINJI, media=[odd])),
        (message_key(GROUP, T0 + 1, 2), message("a poll 투표", author=ALEX, media=[poll])),
        (message_key(GROUP, T0 + 2, 3), b"\x07" + b"\x00" * 30),                           # entry type 7
        (message_key(GROUP, T0 + 3, 4), message("deep 깊다", author=MINJI, attrs=[deep])),
        (message_key(GROUP, T0 + 4, 5), message("missing media", author=ALEX, refs=[(0, 42)])),
        (message_key(GROUP, T0 + 5, 6), message("", author=ALEX, text_bytes=b"\xff\xfe bad")),
        (message_key(GROUP, T0 + 6, 7), "a TEXT value, not a BLOB"),
        (12345, message("integer key", author=ALEX)),
        (message_key(GROUP, T0 + 7, 8), message("points nowhere", author=ALEX, refs=[(0, 43)])),
        (message_key(GROUP, T0 + 8, 9), message("odd t6 entry", author=ALEX, refs=[(0, 44)])),
    ])
    con.executemany("INSERT INTO t6 VALUES (?, ?)", [
        (media_key(0, 43), b"\x01" + struct.pack("<qiii", GROUP, 0, 999, T0) + struct.pack("<i", 1)),  # no such message
        (media_key(0, 44), b"\x09" + b"\x00" * 12),                                                 # entry type 9
    ])


def missing_tables(con):
    con.executemany("INSERT INTO t7 VALUES (?, ?)", [
        (message_key(MINJI, T0, 1), message("no peers table 피어 없음", author=MINJI)),
        (message_key(MINJI, T0 + 5, 2), message("reply", author=OWNER, incoming=False, refs=[(0, KNOWN_BAD)])),
    ])


def deleted(out, secure=False):
    """Messages deleted with secure_delete off (the default build's), as SQLite leaves them: in
    freeblocks of t7's index b-tree pages after a checkpoint, and in the main file's older page
    version when the deletion is only in the -wal. With secure=True the same deletions zeroed."""
    name = "deleted-secure" if secure else "deleted"
    dest = os.path.join(out, name)
    os.makedirs(dest, exist_ok=True)
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "db_sqlite")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("PRAGMA secure_delete=%s" % ("ON" if secure else "OFF"))
    create(con)
    con.executemany("INSERT INTO t2 VALUES (?, ?)", PEERS)
    con.execute("INSERT INTO t6 VALUES (?, ?)", (media_key(0, KNOWN_BAD), media_direct(photo(KNOWN_BAD))))
    rows = []
    for i in range(40):
        mid = 300 + i
        who = MINJI if i % 2 == 0 else OWNER
        text = "메시지 %d message %d — %s" % (mid, mid, "the plan for tonight, see you there " * (1 + i % 3))
        rows.append((message_key(MINJI, T0 + 60 * i, mid), message(text, author=who, incoming=who != OWNER)))
    # The ones deleted below, with what the recovered messages must show.
    rows[7] = (message_key(MINJI, T0 + 420, 307), message("비밀 secret: the code is 4417, delete this", author=MINJI))
    rows[12] = (message_key(MINJI, T0 + 720, 312), message("look 봐", author=MINJI, media=[photo(6012345678901234999)]))
    rows[20] = (message_key(MINJI, T0 + 1200, 320), message("that picture 그 사진", author=OWNER, incoming=False, refs=[(0, KNOWN_BAD)]))
    rows[33] = (message_key(MINJI, T0 + 1980, 333), message("WAL-only deletion: meet at gate 3", author=MINJI))
    con.executemany("INSERT INTO t7 VALUES (?, ?)", rows)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.executemany("DELETE FROM t7 WHERE key = ?", [(message_key(MINJI, T0 + 60 * i, 300 + i),) for i in (7, 12, 20)])
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Deleted after the last checkpoint: the main file still has the row, the -wal's page does not.
    con.execute("DELETE FROM t7 WHERE key = ?", (message_key(MINJI, T0 + 1980, 333),))
    con.commit()
    for f in ("db_sqlite", "db_sqlite-wal"):
        shutil.copyfile(os.path.join(tmp, f), os.path.join(dest, f))
    con.close()
    shutil.rmtree(tmp)


def main():
    out = os.path.dirname(os.path.abspath(__file__))
    if "--out" in sys.argv:
        out = sys.argv[sys.argv.index("--out") + 1]
    main_fixture(out)
    plain(out, "truncated", truncated)
    plain(out, "unknown-types", unknown_types)
    plain(out, "missing-tables", missing_tables, tables=("t7",))
    os.makedirs(os.path.join(out, "hostile", "empty"), exist_ok=True)
    open(os.path.join(out, "hostile", "empty", "db_sqlite"), "wb").close()
    deleted(out)
    deleted(out, secure=True)


if __name__ == "__main__":
    main()
