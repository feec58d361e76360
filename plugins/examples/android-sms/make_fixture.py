#!/usr/bin/env python3
"""Writes fixtures/mmssms.db: a small Android SMS store with the telephony provider's `sms`
columns (subset), two threads, inbox and sent messages, Korean and English text, made with
python3's sqlite3. Usage: python3 make_fixture.py OUTPUT.db (default fixtures/mmssms.db)."""
import os
import sqlite3
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "fixtures", "mmssms.db")
if os.path.exists(out):
    os.remove(out)
db = sqlite3.connect(out)
db.executescript("""
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1,
  type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0,
  sub_id INTEGER DEFAULT -1, error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0);
""")
rows = [
    # _id, thread, address, date (ms UTC), date_sent, read, type, body
    (1, 1, "+821012345678", 1724825523000, 1724825521000, 1, 1, "내일 3시에 만나요"),
    (2, 1, "+821012345678", 1724825600123, 0, 1, 2, "네, 역 앞에서 봐요"),
    (3, 1, "+821012345678", 1724829000000, 1724828999000, 0, 1, "사진 보냈어요?"),
    (4, 2, "+15551234567", 1724900000000, 1724899998000, 1, 1, "Your parcel is at the depot"),
    (5, 2, "+15551234567", 1724900100000, 0, 1, 2, "Thanks"),
]
db.executemany("INSERT INTO sms (_id, thread_id, address, date, date_sent, read, type, body, protocol, creator)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'com.google.android.apps.messaging')", rows)
db.commit()
db.close()
