#!/usr/bin/env python3
"""android-sms — Exhibit plugin: Android's SMS store (mmssms.db) into chats, participants, messages.

The telephony provider (com.android.providers.telephony/databases/mmssms.db) keeps one row per
text message in table `sms`: `thread_id` (the conversation), `address` (the other party's number),
`date` (received/stored, ms since the Unix epoch, UTC), `date_sent` (ms, 0 when unknown), `type`
(1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued), `read`, `body`. One chat per thread_id;
the other party is a participant by number, the phone's owner a device-owner participant.
"""
import sqlite3
import urllib.parse

import exhibit_plugin as ex

PLUGIN_ID = "android-sms"
VERSION = "1.0.0"
OWNER = "device owner"
TYPES = {1: "inbox", 2: "sent", 3: "draft", 4: "outbox", 5: "failed", 6: "queued"}


def analyze(req):
    if req.size == 0:
        raise ex.PluginError("empty", "empty file: no SMS database")
    # immutable=1: read the copy as it is, no locks, no journal or WAL files created beside it.
    uri = "file:%s?mode=ro&immutable=1" % urllib.parse.quote(req.content_path)
    try:
        db = sqlite3.connect(uri, uri=True)
        cols = {row[1] for row in db.execute("PRAGMA table_info(sms)")}
    except sqlite3.DatabaseError as e:
        raise ex.PluginError("not-sqlite", "not a readable SQLite database: %s" % e)
    if not {"address", "date", "type", "body"} <= cols:
        raise ex.PluginError("no-sms-table", "no sms table with address, date, type and body")
    thread = "thread_id" if "thread_id" in cols else "address"
    date_sent = "date_sent" if "date_sent" in cols else "NULL"
    read = "read" if "read" in cols else "NULL"
    findings = []
    chats = set()
    people = set()
    try:
        rows = db.execute("SELECT _id, %s, address, date, %s, type, %s, body FROM sms ORDER BY %s, date, _id"
                          % (thread, date_sent, read, thread)).fetchall()
    except sqlite3.DatabaseError as e:
        raise ex.PluginError("corrupt", "the sms table cannot be read: %s" % e)
    for row_id, thread_id, address, date, sent_ms, mtype, is_read, body in rows:
        key = "thread-%s" % thread_id
        if key not in chats:
            chats.add(key)
            findings.append(ex.chat(key, "sms", title=address, native_id=str(thread_id), chat_type="sms-thread",
                                    format="android-mmssms"))
        outgoing = mtype in (2, 3, 4, 5, 6)
        sender = OWNER if outgoing else address
        if (key, sender) not in people:
            people.add((key, sender))
            findings.append(ex.participant(key, display_name=sender, native_id=None if outgoing else address,
                                           is_device_owner=outgoing))
        sent = None
        # The host refuses epoch times beyond about ±3000 years (1e14 ms): one corrupt row's date
        # must cost a warning, not the whole database.
        if isinstance(date, int) and abs(date) < 10 ** 14:
            sent = ex.unix_ms(date, note="sms.date: when the phone stored the message")
        else:
            findings.append(ex.warning("bad-date", "row %s: date %r is not an integer in range" % (row_id, date),
                                       location=ex.location(record="sms._id %s" % row_id)))
        extra = {"type": TYPES.get(mtype, str(mtype)), "address": address}
        if isinstance(sent_ms, int) and sent_ms > 0:
            extra["date_sent_ms"] = sent_ms
        if is_read is not None:
            extra["read"] = bool(is_read)
        findings.append(ex.message(key, text=body if isinstance(body, str) else "", sender_name=sender,
                                   sender_native_id=None if outgoing else address, from_device_owner=outgoing,
                                   sent=sent, native_id=str(row_id), extra=extra,
                                   location=ex.location(record="sms._id %s" % row_id)))
    db.close()
    return findings


if __name__ == "__main__":
    ex.run(PLUGIN_ID, VERSION, analyze)
