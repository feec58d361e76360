#!/usr/bin/env python3
"""Writes a synthetic iTunes backup folder in the layout used before iOS 10: `Manifest.mbdb` (the
binary file list), `Manifest.plist`, `Info.plist`, `Status.plist`, and each regular file stored
flat in the folder under SHA-1(domain + "-" + path) — public facts (the "MbdbMbdxFormat" notes of
the iPhone Backup Browser project; Practical Mobile Forensics, "The manifest.mbdb file"). All
numbers big-endian; a string is a u16 length (0xFFFF for none) and its UTF-8 bytes. Deterministic.

    python3 make_mbdb_backup.py OUT_DIR [--truncated]

--truncated cuts the last record of Manifest.mbdb in half (the files it names stay stored).
"""
import datetime
import hashlib
import os
import plistlib
import struct
import sys

FILES = [
    ("AppDomain-net.whatsapp.WhatsApp", "Documents/ChatStorage.sqlite", b"SQLite format 3\x00 (synthetic, iOS 9 era)"),
    ("CameraRollDomain", "Media/DCIM/100APPLE/IMG_0003.JPG", b"\xff\xd8\xff\xe1 iOS 9 camera roll bytes"),
    ("HomeDomain", "Library/SMS/sms.db", b"SQLite format 3\x00 sms"),
]
FOLDERS = [("CameraRollDomain", "Media/DCIM")]
T = 1441000000  # 2015-08-31T05:46:40Z


def s(v):
    if v is None:
        return b"\xff\xff"
    b = v.encode() if isinstance(v, str) else v
    return struct.pack(">H", len(b)) + b


def record(domain, path, mode, size, props=()):
    out = s(domain) + s(path) + s(None) + s(None) + s(None)
    out += struct.pack(">HQIIIIIQBB", mode, 1000, 501, 501, T, T, T, size, 3 if mode & 0xF000 == 0x8000 else 0, len(props))
    for k, v in props:
        out += s(k) + s(v)
    return out


def main(out, truncated):
    os.makedirs(out, exist_ok=True)
    body = b""
    for domain, path in FOLDERS:
        body += record(domain, path, 0x41ED, 0)
    for i, (domain, path, data) in enumerate(FILES):
        fid = hashlib.sha1(f"{domain}-{path}".encode()).hexdigest()
        with open(os.path.join(out, fid), "wb") as fh:
            fh.write(data)
        props = [("com.apple.assetsd.UUID", "6F1D2A3B-0000-4000-8000-00000000000%d" % i)] if domain == "CameraRollDomain" else []
        rec = record(domain, path, 0x81A4, len(data), props)
        if truncated and i == len(FILES) - 1:
            rec = rec[: len(rec) // 2]
        body += rec
    with open(os.path.join(out, "Manifest.mbdb"), "wb") as fh:
        fh.write(b"mbdb\x05\x00" + body)
    when = datetime.datetime(2015, 9, 1, 3, 0, 0)  # plistlib: naive = UTC
    with open(os.path.join(out, "Info.plist"), "wb") as fh:
        plistlib.dump({"Device Name": "Old iPhone", "Product Type": "iPhone7,2", "Product Version": "9.0",
                       "Serial Number": "SYNTHETIC0009", "Last Backup Date": when}, fh)
    with open(os.path.join(out, "Manifest.plist"), "wb") as fh:
        plistlib.dump({"Version": "9.1", "IsEncrypted": False, "Date": when}, fh, fmt=plistlib.FMT_BINARY)
    with open(os.path.join(out, "Status.plist"), "wb") as fh:
        plistlib.dump({"IsFullBackup": False, "Version": "2.4", "Date": when}, fh, fmt=plistlib.FMT_BINARY)
    for dirpath, dirs, names in os.walk(out):
        for n in dirs + names:
            os.utime(os.path.join(dirpath, n), (1441000000, 1441000000))


if __name__ == "__main__":
    main(sys.argv[1], "--truncated" in sys.argv[2:])
