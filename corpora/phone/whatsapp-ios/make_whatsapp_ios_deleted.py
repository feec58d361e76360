#!/usr/bin/env python3
"""Makes the deleted-message fixtures of WhatsApp for iOS (README.md, "deleted/") with Python's sqlite3.

Same schema, people and times as make_whatsapp_ios.py (imported from it). Rollback-journal mode, so
the main file alone holds everything; deterministic. Python's sqlite3 on Debian defaults to
secure_delete = ON, so each case sets it explicitly.

    python3 make_whatsapp_ios_deleted.py     # rewrites deleted/*/ChatStorage.sqlite beside this script

deleted/secure-off: four messages with Minji; message Z_PK 3 deleted with secure_delete OFF (its
bytes survive in the page's free space). deleted/secure-on: the same deletion with secure_delete ON.
"""
import os
import sqlite3

from make_whatsapp_ios import MINJI, SCHEMA, T0, fresh, insert_message

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deleted")


def make(folder, secure):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "ChatStorage.sqlite")
    fresh(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA secure_delete = %s" % ("ON" if secure else "OFF"))
    db.executescript(SCHEMA)
    db.execute("INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZREMOVED, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) "
               "VALUES (1, 4, 1, 0, 0, ?, ?, '민지 Minji')", (T0 + 300.0, MINJI))
    rows = [
        dict(Z_PK=1, ZISFROMME=0, ZFROMJID=MINJI, ZSTANZAID="3A00000000000000D0A1", ZTEXT="오늘 콘서트 몇 시에 만나?"),
        dict(Z_PK=2, ZISFROMME=1, ZTOJID=MINJI, ZSTANZAID="3A00000000000000D0A2", ZTEXT="7시에 3번 게이트 앞에서 Gate 3 at 7"),
        dict(Z_PK=3, ZISFROMME=0, ZFROMJID=MINJI, ZSTANZAID="3A00000000000000D0A3", ZTEXT="돈은 현금으로 가져와 bring the cash"),
        dict(Z_PK=4, ZISFROMME=1, ZTOJID=MINJI, ZSTANZAID="3A00000000000000D0A4", ZTEXT="알았어 OK"),
    ]
    for i, r in enumerate(rows):
        insert_message(db, ZCHATSESSION=1, ZMESSAGETYPE=0, ZGROUPEVENTTYPE=0, ZMESSAGESTATUS=8,
                       ZMESSAGEDATE=T0 + 60.0 * i, **r)
    db.commit()
    db.execute("DELETE FROM ZWAMESSAGE WHERE Z_PK = 3")
    db.commit()
    db.close()


if __name__ == "__main__":
    make(os.path.join(HERE, "secure-off"), secure=False)
    make(os.path.join(HERE, "secure-on"), secure=True)
