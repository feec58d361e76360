#!/usr/bin/env python3
"""Makes the WhatsApp for iOS fixtures (ChatStorage.sqlite + ContactsV2.sqlite) with Python's sqlite3.

Synthetic data only. The schema is a subset of WhatsApp's Core Data store with the real table and
column names (FORMATS-mobile.md section 2.4); times are Core Data seconds since 2001-01-01 UTC.
Deterministic: fixed rows, fixed times. Run from anywhere:

    python3 make_whatsapp_ios.py [OUTDIR]       (default: the folder of this script)
    python3 make_whatsapp_ios.py --big N OUTDIR (a ChatStorage.sqlite of N messages, for tests; not committed)

Writes current/ (ChatStorage.sqlite whose last two messages exist only in its -wal,
ContactsV2.sqlite), hostile/missing-tables, hostile/nulls, hostile/empty, hostile/notdb.
"""
import os
import shutil
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) == 2 else HERE

MINJI = "821055501234@s.whatsapp.net"
JUNHO = "821055509999@s.whatsapp.net"
ALEX = "447700900123@s.whatsapp.net"
GROUP = "120363025551234567@g.us"
T0 = 746518200  # 2024-08-28T06:10:00Z as Core Data seconds (Unix 1724825400 - 978307200)
PHOTO = "Media/120363025551234567@g.us/5/0/50e1c6a2-3f4d-4b8e-9a71-c2d5e8f01234.jpg"

SCHEMA = """
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZARCHIVED INTEGER,
  ZREMOVED INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER, ZGROUPINFO INTEGER, ZLASTMESSAGE INTEGER,
  ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR, ZLASTMESSAGETEXT VARCHAR);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISACTIVE INTEGER,
  ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHILDMESSAGESDELIVEREDCOUNT INTEGER,
  ZDOCID INTEGER, ZENCRETRYCOUNT INTEGER, ZFILTEREDRECIPIENTCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER,
  ZISFROMME INTEGER, ZMESSAGEERRORSTATUS INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT INTEGER,
  ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZLASTSESSION INTEGER,
  ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP,
  ZFROMJID VARCHAR, ZMEDIASECTIONID VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR,
  ZTOJID VARCHAR);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCLOUDSTATUS INTEGER,
  ZFILESIZE INTEGER, ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZASPECTRATIO FLOAT,
  ZHACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR,
  ZCOLLECTIONNAME VARCHAR, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR,
  ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB, ZMETADATA BLOB);
CREATE TABLE ZWAPROFILEPUSHNAME (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZJID VARCHAR, ZPUSHNAME VARCHAR);
"""

CONTACTS_SCHEMA = """
CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFULLNAME VARCHAR,
  ZGIVENNAME VARCHAR, ZLASTNAME VARCHAR, ZPHONENUMBER VARCHAR, ZWHATSAPPID VARCHAR);
"""

MSG_COLS = ("Z_PK", "ZCHATSESSION", "ZISFROMME", "ZMESSAGETYPE", "ZGROUPEVENTTYPE", "ZMESSAGESTATUS", "ZGROUPMEMBER",
            "ZMEDIAITEM", "ZMESSAGEDATE", "ZSENTDATE", "ZFROMJID", "ZTOJID", "ZPUSHNAME", "ZSTANZAID", "ZTEXT", "ZSTARRED")


def insert_message(db, **v):
    cols = [c for c in MSG_COLS if c in v]
    db.execute("INSERT INTO ZWAMESSAGE (Z_ENT, Z_OPT, %s) VALUES (9, 1, %s)" % (", ".join(cols), ", ".join("?" * len(cols))),
               [v[c] for c in cols])


def fresh(path):
    for suffix in ("", "-wal", "-journal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def make_current(folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "ChatStorage.sqlite")
    fresh(path)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("INSERT INTO Z_PRIMARYKEY VALUES (9, 'WAMessage', 0, 10)")
    db.execute("INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZREMOVED, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) "
               "VALUES (1, 4, 1, 0, 0, ?, ?, '민지 Minji')", (T0 + 300.0, MINJI))
    db.execute("INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZREMOVED, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) "
               "VALUES (2, 4, 1, 1, 0, ?, ?, '콘서트 친구들 (Concert friends)')", (T0 + 660.0, GROUP))
    # ZCONTACTNAME is often empty in real databases: '' for Minji, NULL for Junho, set for Alex.
    db.executemany("INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZISACTIVE, ZISADMIN, ZCHATSESSION, ZCONTACTNAME, ZMEMBERJID) "
                   "VALUES (?, 6, 1, 1, ?, 2, ?, ?)",
                   [(1, 1, "", MINJI), (2, 0, None, JUNHO), (3, 0, "Alex M.", ALEX)])
    db.executemany("INSERT INTO ZWAPROFILEPUSHNAME (Z_PK, Z_ENT, Z_OPT, ZJID, ZPUSHNAME) VALUES (?, 12, 1, ?, ?)",
                   [(1, MINJI, "민지"), (2, JUNHO, "준호 Junho"), (3, ALEX, "Alex")])
    # Media: the photo carries non-GPS values in ZLATITUDE/ZLONGITUDE (as real image rows do);
    # only the location message's coordinates are a place.
    db.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZMESSAGE, ZFILESIZE, ZLATITUDE, ZLONGITUDE, ZMEDIALOCALPATH, "
               "ZTITLE, ZVCARDSTRING, ZMEDIAURL) VALUES (1, 7, 1, 5, 48213, 14.0, 3.0, ?, '콘서트 사진 🎤', 'image/jpeg', ?)",
               (PHOTO, "https://mmg.whatsapp.net/v/t62.7118-24/synthetic.enc"))
    db.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZMESSAGE, ZLATITUDE, ZLONGITUDE, ZTITLE) "
               "VALUES (2, 7, 1, 6, 37.5207, 127.1213, 'Olympic Park, Seoul')")
    rows = [
        dict(Z_PK=1, ZCHATSESSION=2, ZISFROMME=1, ZMESSAGETYPE=6, ZGROUPEVENTTYPE=12, ZMESSAGESTATUS=0,
             ZMESSAGEDATE=T0 - 3600.0, ZFROMJID=GROUP, ZSTANZAID="3A0000000000000000C1"),
        dict(Z_PK=2, ZCHATSESSION=1, ZISFROMME=0, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=8,
             ZMESSAGEDATE=float(T0), ZSENTDATE=T0 - 1.0, ZFROMJID=MINJI, ZSTANZAID="3A0000000000000000A1",
             ZTEXT="안녕 서연! 콘서트 사진 있어?"),
        dict(Z_PK=3, ZCHATSESSION=1, ZISFROMME=1, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=8,
             ZMESSAGEDATE=T0 + 75.25, ZTOJID=MINJI, ZSTANZAID="3A0000000000000000A2", ZTEXT="응 잠깐만 Sure, one sec",
             ZSTARRED=1),
        # ZPUSHNAME holding base64 protobuf rather than a name: never shown as the sender's name.
        dict(Z_PK=4, ZCHATSESSION=2, ZISFROMME=0, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=0, ZGROUPMEMBER=2,
             ZMESSAGEDATE=T0 + 100.0, ZFROMJID=GROUP, ZPUSHNAME="CgbspIDtmLgSBDEyMzQ=", ZSTANZAID="3A0000000000000000B1",
             ZTEXT="사진 보낼게 (sending the photo)"),
        dict(Z_PK=5, ZCHATSESSION=2, ZISFROMME=0, ZMESSAGETYPE=1, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=0, ZGROUPMEMBER=2,
             ZMEDIAITEM=1, ZMESSAGEDATE=T0 + 120.0, ZFROMJID=GROUP, ZSTANZAID="3A0000000000000000B2"),
        dict(Z_PK=6, ZCHATSESSION=1, ZISFROMME=0, ZMESSAGETYPE=5, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=0, ZMEDIAITEM=2,
             ZMESSAGEDATE=T0 + 200.0, ZFROMJID=MINJI, ZSTANZAID="3A0000000000000000A3"),
        dict(Z_PK=7, ZCHATSESSION=1, ZISFROMME=0, ZMESSAGETYPE=14, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=0,
             ZMESSAGEDATE=T0 + 240.0, ZFROMJID=MINJI, ZSTANZAID="3A0000000000000000A4"),
        dict(Z_PK=8, ZCHATSESSION=1, ZISFROMME=0, ZMESSAGETYPE=10, ZGROUPEVENTTYPE=2, ZMESSAGESTATUS=0,
             ZMESSAGEDATE=T0 + 300.0, ZFROMJID=MINJI),
    ]
    for r in rows:
        insert_message(db, **r)
    db.commit()
    # The newest rows go into the WAL only: checkpointing off, files copied while this connection is open.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    insert_message(db, Z_PK=9, ZCHATSESSION=2, ZISFROMME=0, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=0,
                   ZGROUPMEMBER=3, ZMESSAGEDATE=T0 + 600.0, ZFROMJID=GROUP, ZSTANZAID="3A0000000000000000B3",
                   ZTEXT="See you at the gate 🎟")
    insert_message(db, Z_PK=10, ZCHATSESSION=2, ZISFROMME=1, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=8,
                   ZMESSAGEDATE=T0 + 660.0, ZTOJID=GROUP, ZSTANZAID="3A0000000000000000B4", ZTEXT="응 게이트에서 봐")
    db.commit()
    tmp = path + ".copy"
    shutil.copyfile(path, tmp)
    shutil.copyfile(path + "-wal", tmp + "-wal")
    db.close()
    fresh(path)
    os.rename(tmp, path)
    os.rename(tmp + "-wal", path + "-wal")

    cpath = os.path.join(folder, "ContactsV2.sqlite")
    fresh(cpath)
    c = sqlite3.connect(cpath)
    c.executescript(CONTACTS_SCHEMA)
    c.execute("INSERT INTO ZWAADDRESSBOOKCONTACT (Z_PK, Z_ENT, Z_OPT, ZFULLNAME, ZGIVENNAME, ZPHONENUMBER, ZWHATSAPPID) "
              "VALUES (1, 2, 1, '민지 Minji', '민지', '+82 10-5550-1234', ?)", (MINJI,))
    c.commit()
    c.close()


def make_missing_tables(folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "ChatStorage.sqlite")
    fresh(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZISFROMME INTEGER, ZMESSAGETYPE INTEGER, "
               "ZCHATSESSION INTEGER, ZMESSAGEDATE TIMESTAMP, ZFROMJID VARCHAR, ZTEXT VARCHAR)")
    db.execute("INSERT INTO ZWAMESSAGE VALUES (1, 0, 0, 1, ?, ?, 'only the message table is left')", (float(T0), MINJI))
    db.execute("INSERT INTO ZWAMESSAGE VALUES (2, 1, 0, 1, ?, NULL, '답장 reply')", (T0 + 60.0,))
    db.commit()
    db.close()


def make_nulls(folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "ChatStorage.sqlite")
    fresh(path)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME) VALUES (1, NULL, NULL)")
    db.execute("INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZSESSIONTYPE) VALUES (2, ?, 1)", (GROUP,))
    db.execute("INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID) VALUES (1, 2, NULL)")
    db.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZLATITUDE) VALUES (1, 3, NULL, 'north')")
    insert_message(db, Z_PK=1)  # every column NULL
    insert_message(db, Z_PK=2, ZCHATSESSION=1, ZISFROMME=0, ZMESSAGETYPE=0, ZMESSAGEDATE="yesterday", ZTEXT=b"\xff\xfe")
    insert_message(db, Z_PK=3, ZCHATSESSION=2, ZISFROMME=0, ZMESSAGETYPE=5, ZGROUPMEMBER=1, ZMEDIAITEM=1,
                   ZMESSAGEDATE=1e300)
    insert_message(db, Z_PK=4, ZCHATSESSION=99, ZISFROMME=0, ZMESSAGETYPE=0, ZGROUPMEMBER=42, ZMESSAGEDATE=float(T0),
                   ZTEXT="orphan")
    db.commit()
    db.close()


WORDS = ["안녕", "사진", "영상", "내일", "만나", "hello", "photo", "see", "you", "ok", "ㅋㅋㅋ", "좋아"]


def make_big(n, folder):
    """N messages over 20 1:1 chats: message k is in chat k % 20, from the owner when k % 3 == 0,
    at T0 + k seconds, text of 1 + k % 8 words; every 97th is a photo with a media item."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "ChatStorage.sqlite")
    fresh(path)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    for c in range(20):
        db.execute("INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZCONTACTJID, ZPARTNERNAME) VALUES (?, 0, ?, ?)",
                   (c + 1, "8210%08d@s.whatsapp.net" % c, "친구 %d" % c))
    rows, media = [], []
    for k in range(n):
        text = " ".join(WORDS[(k + j) % len(WORDS)] for j in range(1 + k % 8))
        photo = k % 97 == 0
        if photo:
            media.append((len(media) + 1, k + 1, "Media/8210%08d@s.whatsapp.net/0/0/big%07d.jpg" % (k % 20, k)))
        rows.append((k + 1, k % 20 + 1, 1 if k % 3 == 0 else 0, 1 if photo else 0, len(media) if photo else None,
                     float(T0 + k), None if k % 3 == 0 else "8210%08d@s.whatsapp.net" % (k % 20), "BIG%017d" % k, text))
    db.executemany("INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZMEDIAITEM, ZMESSAGEDATE, ZFROMJID, "
                   "ZSTANZAID, ZTEXT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZVCARDSTRING) "
                   "VALUES (?, ?, ?, 1000, 'image/jpeg')", media)
    db.commit()
    db.close()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        make_big(int(sys.argv[2]), os.path.abspath(sys.argv[3]))
        return
    make_current(os.path.join(OUT, "current"))
    make_missing_tables(os.path.join(OUT, "hostile", "missing-tables"))
    make_nulls(os.path.join(OUT, "hostile", "nulls"))
    empty = os.path.join(OUT, "hostile", "empty")
    os.makedirs(empty, exist_ok=True)
    open(os.path.join(empty, "ChatStorage.sqlite"), "wb").close()
    notdb = os.path.join(OUT, "hostile", "notdb")
    os.makedirs(notdb, exist_ok=True)
    with open(os.path.join(notdb, "ChatStorage.sqlite"), "w", encoding="utf-8") as f:
        f.write("bplist00 this is not an SQLite database\n")


if __name__ == "__main__":
    main()
