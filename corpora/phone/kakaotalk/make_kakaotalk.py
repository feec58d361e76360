#!/usr/bin/env python3
"""Builds synthetic KakaoTalk for Android databases (KakaoTalk.db + KakaoTalk2.db) with their
columns encrypted by our own implementation of the publicly documented scheme (README.md).

Usage:
  make_kakaotalk.py                     # writes the committed fixtures beside this script
  make_kakaotalk.py --big N OUT_DIR     # OUT_DIR/KakaoTalk.db with N messages (tests, bench)

Deterministic: fixed ids, times and seeds. Before writing anything the crypto is checked against
the published test vectors; a mismatch stops the script.
"""
import base64
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import zipfile

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# ---- crypto (public facts: salt prefixes, fixed password, fixed IV; KDF written from RFC 7292 B.2)

PREFIXES = ["", "", "12", "24", "18", "30", "36", "12", "48", "7", "35", "40", "17", "23", "29",
            "isabel", "kale", "sulli", "van", "merry", "kyle", "james", "maddux", "tony", "hayden",
            "paul", "elijah", "dorothy", "sally", "bran"]
PASSWORD = bytes([0x16, 0x08, 0x09, 0x6f, 0x02, 0x17, 0x2b, 0x08, 0x21, 0x21, 0x0a, 0x10, 0x03, 0x03, 0x07, 0x06])
IV = bytes([0x0f, 0x08, 0x01, 0x00, 0x19, 0x47, 0x25, 0xdc, 0x15, 0xf5, 0x17, 0xe0, 0xe1, 0x15, 0x0c, 0x35])
VECTORS = [  # (user id, enc, base64, plaintext), published with kakaodecrypt's tests
    (216658451, 17, "UHVw8VBhUhdbIFTlvdBXdA==", "Hey friends!"),
    (240440409, 22, "pBO6rG5DQmOOfRwyoV6nqw==", "ㄱㅇㄷ"),
    (195847548, 24, "IICZJO/83CXZWZhNmiWmHg==", "It's ok"),
    (283456151, 26, "gYKexDBLvO7OwDqjD58LlQ==", "i have lasers"),
    (77289285161409090, 26, "6ooWLeWv/zcVSNsm8X44SOqc/Yg9u2wYe9HolLxmLOw=", "끙끙거리면서"),
]


def salt(user, enc):
    if user <= 0:
        return bytes(16)
    s = (PREFIXES[enc] + str(user)).encode()[:16]
    return s + bytes(16 - len(s))


def pkcs12_kdf(password, salt_bytes, iterations, n):
    """RFC 7292 appendix B.2 with SHA-1 (u=20, v=64), ID byte 1; password as BMPString + NUL."""
    v = 64
    pw = b"".join(bytes([0, c]) for c in password) + b"\0\0"

    def fill(x):
        if not x:
            return b""
        length = v * ((len(x) + v - 1) // v)
        return (x * (length // len(x) + 1))[:length]

    i_block = bytearray(fill(salt_bytes) + fill(pw))
    d = bytes([1]) * v
    out = b""
    while len(out) < n:
        a = hashlib.sha1(d + bytes(i_block)).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha1(a).digest()
        out += a
        b_plus_1 = int.from_bytes((a * 4)[:v], "big") + 1
        for j in range(0, len(i_block), v):
            x = (int.from_bytes(i_block[j:j + v], "big") + b_plus_1) % (1 << (8 * v))
            i_block[j:j + v] = x.to_bytes(v, "big")
    return out[:n]


_KEYS = {}


def key(user, enc):
    k = (user, enc)
    if k not in _KEYS:
        _KEYS[k] = pkcs12_kdf(PASSWORD, salt(user, enc), 2, 32)
    return _KEYS[k]


def encrypt_bytes(user, enc, data, pad=True):
    if pad:
        p = 16 - len(data) % 16
        data = data + bytes([p]) * p
    e = Cipher(algorithms.AES(key(user, enc)), modes.CBC(IV)).encryptor()
    return base64.b64encode(e.update(data) + e.finalize()).decode()


def enc(user, enc_type, text):
    return None if text is None else encrypt_bytes(user, enc_type, text.encode("utf-8"))


def decrypt(user, enc_type, b64):
    d = Cipher(algorithms.AES(key(user, enc_type)), modes.CBC(IV)).decryptor()
    p = d.update(base64.b64decode(b64)) + d.finalize()
    return p[:-p[-1]].decode("utf-8")


def self_check():
    for user, e, b64, text in VECTORS:
        if decrypt(user, e, b64) != text or enc(user, e, text) != b64:
            sys.exit(f"crypto self-check FAILED for user {user} enc {e}")


# ---- schema (columns per the public facts; the app has more, we add a few it is known to have)

CHAT_LOGS = """CREATE TABLE chat_logs (_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL, type INTEGER,
  chat_id INTEGER NOT NULL, user_id INTEGER, message TEXT, attachment TEXT, created_at INTEGER, deleted_at INTEGER,
  client_message_id INTEGER, prev_id INTEGER, referer INTEGER, supplement TEXT, v TEXT)"""
CHAT_ROOMS = """CREATE TABLE chat_rooms (_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL, type TEXT,
  members TEXT, active_member_ids TEXT, last_log_id INTEGER, last_message TEXT, last_updated_at INTEGER,
  unread_count INTEGER, v TEXT, link_id INTEGER)"""
FRIENDS = """CREATE TABLE friends (_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL, type INTEGER,
  uuid TEXT, phone_number TEXT, raw_phone_number TEXT, name TEXT, status_message TEXT, v TEXT, nick_name TEXT,
  contact_name TEXT, enc INTEGER)"""
OPEN_PROFILE = """CREATE TABLE open_profile (_id INTEGER PRIMARY KEY AUTOINCREMENT, link_id INTEGER, user_id INTEGER,
  nickname TEXT, profile_image_url TEXT)"""
OPEN_CHAT_MEMBER = """CREATE TABLE open_chat_member (_id INTEGER PRIMARY KEY AUTOINCREMENT, link_id INTEGER,
  user_id INTEGER, type INTEGER, nickname TEXT, profile_image_url TEXT, enc INTEGER)"""
OPEN_LINK = """CREATE TABLE open_link (_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER, name TEXT, url TEXT,
  user_id INTEGER)"""

# ---- the synthetic phone: device owner 서연 (Seoyeon)

OWNER = 281743059
MINJUN, JIWOO, DANIEL = 318204417, 402251873, 153378562
BARAM, TRADER = 7758123401234, 9012345678901          # open-chat members (not friends)
DIRECT, GROUP, OPEN = 18412345678901, 18498765432100, 18555500011122
LINK = 330012345
T0 = 1724824800  # 2024-08-28T06:00:00Z (15:00 in Seoul)


def known_picture_sha1():
    with zipfile.ZipFile(os.path.join(ROOT, "corpora", "sample-case", "phone-dump.zip")) as z:
        data = z.read("sdcard/DCIM/Camera/IMG_20240828_151203.jpg")
    return hashlib.sha1(data).hexdigest(), len(data)


def v_json(e):
    return json.dumps({"enc": e, "origin": "MSG", "isSingleDefaultEmoticon": False}, separators=(",", ":"))


def add_log(cur, rid, typ, chat, user, e, text, t, attachment=None, deleted_at=0, v=None):
    cur.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, attachment, created_at, deleted_at,"
                " client_message_id, prev_id, referer, supplement, v) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, typ, chat, user, enc(user, e, text),
                 enc(user, e, json.dumps(attachment, ensure_ascii=False, separators=(",", ":"))) if attachment else None,
                 t, deleted_at, rid % 1000003, rid - 1, 0, None, v if v is not None else v_json(e)))


def main_db(path, wal_rows):
    """KakaoTalk.db: three rooms; `wal_rows` are written after the checkpoint (they live in the WAL)."""
    sha1, size = known_picture_sha1()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    cur = con.cursor()
    cur.execute(CHAT_LOGS)
    cur.execute(CHAT_ROOMS)
    rooms = [
        (DIRECT, "DirectChat", [MINJUN], None, 24, "응 내일 봐"),
        (GROUP, "MultiChat", [MINJUN, JIWOO, DANIEL], None, 24, "Sounds good! See you at 9"),
        (OPEN, "OM", [BARAM, TRADER], LINK, 26, "50만원이요"),
    ]
    for rid, typ, members, link, e, last in rooms:
        cur.execute("INSERT INTO chat_rooms (id, type, members, active_member_ids, last_log_id, last_message,"
                    " last_updated_at, unread_count, v, link_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (rid, typ, json.dumps(members), json.dumps(members), 0, enc(OWNER, e, last), T0 + 3600, 0,
                     json.dumps({"enc": e}), link))
    photo = {"k": "kakaot1/aQz93kLmN2pX/IMG_20240828_151203.jpg", "cs": sha1, "s": size, "w": 320, "h": 240,
             "mt": "image/jpeg"}
    pdf = {"name": "계약서_final.pdf", "size": 48213, "k": "kakaot1/f7Rq2/contract.pdf",
           "cs": "5d41402abc4b2a76b9719d911017c592ae1b2f0c", "expire": 1725429600}
    reply = {"src_logId": 9000000011, "src_userId": OWNER, "src_message": "얼마에요?", "src_type": 1}
    feed = {"feedType": 1, "members": [{"userId": DANIEL, "nickName": "Daniel Park"}], "inviter": {"userId": OWNER}}
    logs = [
        # (native id, type, chat, user, enc, message, minutes after T0, attachment, deleted_at)
        (9000000001, 1, DIRECT, MINJUN, 24, "서연아 내일 시간 돼?", 0, None, 0),
        (9000000002, 1, DIRECT, OWNER, 24, "응 오후에 괜찮아 🙂", 2, None, 0),
        (9000000003, 0, GROUP, OWNER, 24, json.dumps(feed, ensure_ascii=False), 5, None, 0),
        (9000000004, 1, GROUP, JIWOO, 17, "주말 등산 어디로 갈까? 북한산 어때", 7, None, 0),
        (9000000005, 2, GROUP, OWNER, 24, None, 20, photo, 0),
        (9000000006, 1, GROUP, DANIEL, 26, "Sounds good! See you at 9", 25, None, 0),
        (9000000007, 1 | 16384, DIRECT, MINJUN, 24, "방금 보낸 거 지워줘", 30, None, T0 + 31 * 60),
        (9000000008, 1, OPEN, BARAM, 26, "아이폰 15 팝니다 (미개봉)", 40, None, 0),
        (9000000009, 1, OPEN, TRADER, 26, "price?", 41, None, 0),
        (9000000010, 18, OPEN, BARAM, 26, "계약서_final.pdf", 43, pdf, 0),
        (9000000011, 1, OPEN, OWNER, 26, "얼마에요?", 45, None, 0),
        (9000000012, 26, OPEN, BARAM, 26, "50만원이요", 47, reply, 0),
    ]
    for rid, typ, chat, user, e, text, minutes, att, deleted in logs:
        add_log(cur, rid, typ, chat, user, e, text, T0 + minutes * 60, att, deleted)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for rid, typ, chat, user, e, text, minutes, att, deleted in wal_rows:
        add_log(cur, rid, typ, chat, user, e, text, T0 + minutes * 60, att, deleted)
    con.commit()
    return con  # still open: the caller copies the db and its -wal before closing


def aux_db(path):
    """KakaoTalk2.db: friends (enc from a column), open_profile, open_chat_member, open_link."""
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    cur = con.cursor()
    for sql in (FRIENDS, OPEN_PROFILE, OPEN_CHAT_MEMBER, OPEN_LINK):
        cur.execute(sql)
    friends = [(MINJUN, "민준", "+821041234567", 24), (JIWOO, "지우", "+821098765432", 17),
               (DANIEL, "Daniel Park", "+12025550143", 26)]
    for uid, name, phone, e in friends:
        cur.execute("INSERT INTO friends (id, type, uuid, phone_number, raw_phone_number, name, status_message, v,"
                    " nick_name, contact_name, enc) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (uid, 2, enc(OWNER, e, f"uuid-{uid}"), enc(OWNER, e, phone), enc(OWNER, e, phone),
                     enc(OWNER, e, name), enc(OWNER, e, "🌿"), enc(OWNER, e, "{}"), None, None, e))
    cur.execute("INSERT INTO open_profile (link_id, user_id, nickname, profile_image_url) VALUES (?,?,?,?)",
                (LINK, OWNER, "서연", None))
    for uid, nick, e in [(BARAM, "바람돌이", 26), (TRADER, "Trader_K", 24)]:
        cur.execute("INSERT INTO open_chat_member (link_id, user_id, type, nickname, profile_image_url, enc)"
                    " VALUES (?,?,?,?,?,?)", (LINK, uid, 2, enc(OWNER, e, nick), None, e))
    cur.execute("INSERT INTO open_link (id, name, url, user_id) VALUES (?,?,?,?)",
                (LINK, "중고거래 직거래 방 (Seoul)", "https://open.kakao.com/o/gSynth01", BARAM))
    con.commit()
    con.close()


WAL_ROWS = [
    (9000000013, 1, DIRECT, MINJUN, 24, "WAL에만 있는 메시지: 3시에 역 앞에서", 50, None, 0),
    (9000000014, 1, DIRECT, OWNER, 24, "응 내일 봐", 52, None, 0),
]


def write_main(out_dir):
    work = os.path.join(out_dir, ".work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "KakaoTalk.db")
    con = main_db(db, WAL_ROWS)
    # Copy the database and its WAL while the writer is still open: the WAL is not checkpointed.
    shutil.copyfile(db, os.path.join(out_dir, "KakaoTalk.db"))
    shutil.copyfile(db + "-wal", os.path.join(out_dir, "KakaoTalk.db-wal"))
    con.close()
    shutil.rmtree(work, ignore_errors=True)
    aux_db(os.path.join(out_dir, "KakaoTalk2.db"))


def fresh(path, *schema):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    for sql in schema:
        con.execute(sql)
    return con


def write_vectors(path):
    """Every published vector as a chat_logs row (user id and enc exactly as published)."""
    con = fresh(path, CHAT_LOGS, CHAT_ROOMS)
    for i, (user, e, b64, _) in enumerate(VECTORS):
        con.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, created_at, v) VALUES (?,?,?,?,?,?,?)",
                    (100 + i, 1, 777, user, b64, T0 + i, json.dumps({"enc": e})))
    con.commit()
    con.close()


def write_hostile(out_dir):
    hdir = os.path.join(out_dir, "hostile")
    os.makedirs(hdir, exist_ok=True)
    # Crypto failures: one row per failure kind, twice for the not-base64 kind (aggregated warnings).
    con = fresh(os.path.join(hdir, "crypto.db"), CHAT_LOGS, CHAT_ROOMS)
    con.execute("INSERT INTO chat_rooms (id, type, members, v) VALUES (?,?,?,?)", (500, "DirectChat", json.dumps([MINJUN]), '{"enc":24}'))
    bad_padding = encrypt_bytes(MINJUN, 24, b"sixteen bytes!!\x00", pad=False)   # last byte 0: invalid PKCS#7
    invalid_utf8 = encrypt_bytes(MINJUN, 24, b"\xff\xfe\xc3\x28 broken")
    rows = [
        (1, MINJUN, "%%% not base64 %%%", '{"enc":24}'),
        (2, MINJUN, "also not base64!", '{"enc":24}'),
        (3, MINJUN, base64.b64encode(b"ten bytes!").decode(), '{"enc":24}'),
        (4, MINJUN, invalid_utf8, '{"enc":24}'),
        (5, MINJUN, bad_padding, '{"enc":24}'),
        (6, MINJUN, enc(MINJUN, 24, "enc type from the future"), '{"enc":31}'),
        (7, MINJUN, enc(MINJUN, 24, "no v at all"), None),
        (8, MINJUN, enc(MINJUN, 24, "v is not JSON"), "{enc:"),
        (9, MINJUN, enc(MINJUN, 24, "good row between bad ones"), '{"enc":24}'),
        (10, MINJUN, enc(MINJUN, 1, "enc given as true"), '{"enc":"true"}'),
    ]
    for rid, user, msg, v in rows:
        con.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, attachment, created_at, v) VALUES (?,?,?,?,?,?,?,?)",
                    (rid, 1, 500, user, msg, None, T0 + rid, v))
    # A photo whose attachment decrypts to something that is not JSON.
    con.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, attachment, created_at, v) VALUES (?,?,?,?,?,?,?,?)",
                (11, 2, 500, MINJUN, None, enc(MINJUN, 24, "not json {"), T0 + 11, '{"enc":24}'))
    con.commit()
    con.close()
    # Missing tables and columns: chat_logs without attachment/v/deleted_at; no chat_rooms.
    con = fresh(os.path.join(hdir, "missing.db"),
                "CREATE TABLE chat_logs (_id INTEGER PRIMARY KEY, id INTEGER, type INTEGER, chat_id INTEGER,"
                " user_id INTEGER, message TEXT, created_at INTEGER)")
    con.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, created_at) VALUES (1, 1, 42, ?, ?, ?)",
                (MINJUN, "plain text, no v column", T0))
    con.commit()
    con.close()
    # No chat_logs at all.
    con = fresh(os.path.join(hdir, "no-chat-logs.db"), CHAT_ROOMS)
    con.execute("INSERT INTO chat_rooms (id, type, members) VALUES (1, 'DirectChat', '[5]')")
    con.commit()
    con.close()
    # NULLs everywhere (and a members column that is not JSON).
    con = fresh(os.path.join(hdir, "nulls.db"),
                CHAT_LOGS.replace("NOT NULL", ""), CHAT_ROOMS.replace("NOT NULL", ""))
    con.execute("INSERT INTO chat_logs (_id) VALUES (1)")
    con.execute("INSERT INTO chat_logs (_id, chat_id, user_id, v) VALUES (2, 900, NULL, NULL)")
    con.execute("INSERT INTO chat_rooms (_id, id, type, members, v) VALUES (1, NULL, NULL, NULL, NULL)")
    con.execute("INSERT INTO chat_rooms (_id, id, type, members, v) VALUES (2, 900, 'MultiChat', 'not json', NULL)")
    con.commit()
    con.close()
    open(os.path.join(hdir, "zero-byte.db"), "wb").close()
    # open_profile names one id, chat membership another: the open_profile id is used, with a warning.
    os.makedirs(os.path.join(hdir, "conflict"), exist_ok=True)
    con = fresh(os.path.join(hdir, "conflict", "KakaoTalk.db"), CHAT_LOGS, CHAT_ROOMS)
    con.execute("INSERT INTO chat_rooms (id, type, members, v) VALUES (?,?,?,?)", (600, "DirectChat", json.dumps([MINJUN]), '{"enc":24}'))
    for rid, user, text in [(1, MINJUN, "누구세요?"), (2, OWNER, "저예요")]:
        con.execute("INSERT INTO chat_logs (id, type, chat_id, user_id, message, created_at, v) VALUES (?,?,?,?,?,?,?)",
                    (rid, 1, 600, user, enc(user, 24, text), T0 + rid, '{"enc":24}'))
    con.commit()
    con.close()
    con = fresh(os.path.join(hdir, "conflict", "KakaoTalk2.db"), OPEN_PROFILE)
    con.execute("INSERT INTO open_profile (link_id, user_id, nickname) VALUES (1, 999, 'someone else')")
    con.commit()
    con.close()


def write_big(n, out_dir):
    """OUT_DIR/KakaoTalk.db with n messages in 20 rooms from 200 senders (random but seeded)."""
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(11)
    con = fresh(os.path.join(out_dir, "KakaoTalk.db"), CHAT_LOGS, CHAT_ROOMS)
    con.execute("PRAGMA synchronous=OFF")
    senders = [100000000 + 7919 * i for i in range(200)]
    rooms = [20000000000 + r for r in range(20)]
    for r, rid in enumerate(rooms):
        members = senders[r * 10:(r + 1) * 10]
        con.execute("INSERT INTO chat_rooms (id, type, members, v) VALUES (?,?,?,?)",
                    (rid, "MultiChat", json.dumps(members), '{"enc":24}'))
    words = ["안녕", "내일", "등산", "사진", "hello", "price", "확인", "ok", "네", "좋아요"]
    # Ciphertexts are made once per (sender, text) and reused: Python's AES per row would dominate.
    cache = {}
    batch = []
    for i in range(n):
        r = rng.randrange(20)
        user = senders[r * 10 + rng.randrange(10)] if rng.random() > 0.1 else OWNER
        text = " ".join(rng.choice(words) for _ in range(1 + rng.randrange(4)))
        k = (user, text)
        if k not in cache:
            cache[k] = enc(user, 24, text)
        batch.append((1000000 + i, 1, rooms[r], user, cache[k], T0 + i, '{"enc":24}'))
        if len(batch) == 10000:
            con.executemany("INSERT INTO chat_logs (id, type, chat_id, user_id, message, created_at, v) VALUES (?,?,?,?,?,?,?)", batch)
            batch = []
    if batch:
        con.executemany("INSERT INTO chat_logs (id, type, chat_id, user_id, message, created_at, v) VALUES (?,?,?,?,?,?,?)", batch)
    con.commit()
    con.close()


def main():
    self_check()
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        write_big(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    write_main(HERE)
    write_vectors(os.path.join(HERE, "vectors.db"))
    write_hostile(HERE)
    sha1, size = known_picture_sha1()
    print(f"known picture sha1 {sha1} ({size} bytes); fixtures written to {HERE}")


if __name__ == "__main__":
    main()
