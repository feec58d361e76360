"""Shared helpers for make_fixtures.py. Writes the chat-export fixtures in corpora/chat/ and, for each, the expected findings
(`<fixture>.expected.json`) from the SAME ground truth the fixture was rendered from — never from
our parser's output. Run from anywhere: python3 corpora/chat/make_fixtures.py

Ground truth = a list of messages (local wall-clock time in Asia/Seoul, sender, text, attachment,
flags). Each renderer writes it the way the app writes that format (see ../../docs or
shared FORMATS.md); the golden records what a correct reader must find.
"""
import json, os, random
from datetime import datetime, timezone, timedelta
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
SEOUL = ZoneInfo("Asia/Seoul")
ZONE = "Asia/Seoul"
LRM, NNBSP = "\u200e", "\u202f"


def utc(local):
    """UTC string of a naive Seoul wall-clock time."""
    return local.replace(tzinfo=SEOUL).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(rel, data, expected):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    if expected is not None:
        expected.setdefault("zone", ZONE)
        with open(path + ".expected.json", "w", encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")


def chat(key="chat", platform=None, fmt=None, **kw):
    d = {"chatKey": key, "platform": platform, "format": fmt, "nativeID": None, "title": None, "chatType": None,
         "left": False, "dateOrder": None, "dateOrderProven": None, "clock": None, "exportingUserPlaceholder": None,
         "exportedAtUTC": None, "part": None}
    d.update(kw)
    return d


def msg(key="chat", **kw):
    d = {"chatKey": key, "nativeID": None, "kind": "message", "sender": None, "senderID": None, "owner": False,
         "sentUTC": None, "sentBasis": None, "sentRaw": None, "touchedUTC": None, "text": "", "replyTo": None,
         "forwardedFrom": None, "viaBot": None, "deleted": False, "edited": False, "serviceAction": None,
         "serviceActor": None, "entities": [], "reactions": [], "poll": None, "attachments": []}
    d.update(kw)
    return d


def att(kind, reference=None, resolved=None, missing=None, **kw):
    d = {"kind": kind, "reference": reference, "resolvedPath": resolved, "missingReason": missing, "fileName": None,
         "mimeType": None, "size": None, "width": None, "height": None, "duration": None}
    d.update(kw)
    return d


def part(key, name, nid=None, owner=False):
    return {"chatKey": key, "displayName": name, "nativeID": nid, "isDeviceOwner": owner}


