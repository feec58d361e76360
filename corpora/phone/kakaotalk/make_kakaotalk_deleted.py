#!/usr/bin/env python3
"""Builds the deleted-message fixture of KakaoTalk for Android (README.md, "deleted/").

deleted/KakaoTalk.db (+ KakaoTalk2.db for names): the 1:1 room with 민준 and four chat_logs rows
encrypted as the app does (our own implementation of the documented scheme, from make_kakaotalk.py);
log 9000000103 (민준: "현금으로 가져와 bring the cash", enc 24) is then deleted from chat_logs with
secure_delete OFF, so its encrypted bytes survive in the page's free space. Rollback-journal mode;
deterministic. The crypto is checked against the published vectors first (make_kakaotalk.self_check).

    python3 make_kakaotalk_deleted.py
"""
import json
import os
import sqlite3

from make_kakaotalk import (CHAT_LOGS, CHAT_ROOMS, DIRECT, MINJUN, OWNER, T0, add_log, aux_db, enc, self_check)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deleted")


def write_deleted(folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "KakaoTalk.db")
    for suffix in ("", "-wal", "-journal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA secure_delete = OFF")
    cur = con.cursor()
    cur.execute(CHAT_LOGS)
    cur.execute(CHAT_ROOMS)
    cur.execute("INSERT INTO chat_rooms (id, type, members, active_member_ids, last_log_id, last_message,"
                " last_updated_at, unread_count, v, link_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (DIRECT, "DirectChat", json.dumps([MINJUN]), json.dumps([MINJUN]), 0, enc(OWNER, 24, "OK"),
                 T0 + 600, 0, json.dumps({"enc": 24}), None))
    logs = [
        (9000000101, MINJUN, "내일 몇 시에 볼까?", 0),
        (9000000102, OWNER, "3시 강남역", 2),
        (9000000103, MINJUN, "현금으로 가져와 bring the cash", 4),
        (9000000104, OWNER, "OK", 6),
    ]
    for rid, user, text, minutes in logs:
        add_log(cur, rid, 1, DIRECT, user, 24, text, T0 + minutes * 60)
    con.commit()
    cur.execute("DELETE FROM chat_logs WHERE id = 9000000103")
    con.commit()
    con.close()
    aux_db(os.path.join(folder, "KakaoTalk2.db"))


if __name__ == "__main__":
    self_check()
    write_deleted(HERE)
    for name in sorted(os.listdir(HERE)):
        print(name, os.path.getsize(os.path.join(HERE, name)))
