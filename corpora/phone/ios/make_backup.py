#!/usr/bin/env python3
"""Writes a synthetic, unencrypted iTunes/Finder backup folder of an invented iPhone: `Manifest.db`
(table `Files(fileID, domain, relativePath, flags, file)`), `Manifest.plist`, `Info.plist`,
`Status.plist`, and each file stored under its SHA-1 name `<fileID[0:2]>/<fileID>` where
fileID = SHA-1(domain + "-" + relativePath) — the layout Apple's backups use (public facts:
shared/FORMATS-mobile.md §1.1). Used by the engine tests; deterministic.

    python3 make_backup.py OUT_DIR [--hostile]

--hostile adds a file Manifest.db names but the folder lacks, a file the manifest does not name,
and a domain with no known device folder.
"""
import hashlib
import os
import plistlib
import sqlite3
import sys
import tempfile
import datetime

FILES = [
    ("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite", None),
    ("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "Message/Media/821012345678@s.whatsapp.net/a/b/IMG_0001.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
    ("CameraRollDomain", "Media/DCIM/100APPLE/IMG_0002.JPG", b"\xff\xd8\xff\xe1 camera roll bytes"),
    ("HomeDomain", "Library/SMS/sms.db", None),
    ("AppDomain-ph.telegra.Telegraph", "Documents/notes.txt", b"telegram app container file\n"),
]


def sqlite_bytes(table):
    fd, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(fd)
    os.remove(path)
    c = sqlite3.connect(path)
    c.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, v TEXT)")
    c.execute(f"INSERT INTO {table} (v) VALUES ('synthetic')")
    c.commit(); c.close()
    data = open(path, "rb").read()
    os.remove(path)
    return data


def main(out, hostile):
    os.makedirs(out, exist_ok=True)
    rows = []
    files = list(FILES)
    if hostile:
        files.append(("UnknownVendorDomain", "x/y.bin", b"unknown domain"))
    for domain, rel, data in files:
        if data is None:
            data = sqlite_bytes("ZWAMESSAGE" if rel.endswith("ChatStorage.sqlite") else "message")
        fid = hashlib.sha1(f"{domain}-{rel}".encode()).hexdigest()
        os.makedirs(os.path.join(out, fid[:2]), exist_ok=True)
        with open(os.path.join(out, fid[:2], fid), "wb") as fh:
            fh.write(data)
        rows.append((fid, domain, rel, 1, plistlib.dumps({"Size": len(data)}, fmt=plistlib.FMT_BINARY)))
    # A folder row (flags 2) names no stored file.
    rows.append((hashlib.sha1(b"CameraRollDomain-Media/DCIM").hexdigest(), "CameraRollDomain", "Media/DCIM", 2, None))
    if hostile:
        rows.append(("f" * 40, "HomeDomain", "Library/missing.db", 1, None))
        os.makedirs(os.path.join(out, "00"), exist_ok=True)
        with open(os.path.join(out, "00", "00" + "1" * 38), "wb") as fh:
            fh.write(b"not named by the manifest")
    db = os.path.join(out, "Manifest.db")
    if os.path.exists(db):
        os.remove(db)
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)")
    c.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
    c.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
    c.commit(); c.close()
    when = datetime.datetime(2024, 8, 30, 4, 0, 0)  # plistlib: naive = UTC
    with open(os.path.join(out, "Info.plist"), "wb") as fh:
        plistlib.dump({"Device Name": "서연의 iPhone", "Product Type": "iPhone14,5", "Product Version": "17.5.1",
                       "Serial Number": "SYNTHETIC0001", "Unique Identifier": "00008110-SYNTHETIC",
                       "Build Version": "21F90", "Last Backup Date": when}, fh)
    with open(os.path.join(out, "Manifest.plist"), "wb") as fh:
        plistlib.dump({"Version": "10.0", "IsEncrypted": False, "Date": when}, fh, fmt=plistlib.FMT_BINARY)
    with open(os.path.join(out, "Status.plist"), "wb") as fh:
        plistlib.dump({"IsFullBackup": False, "Version": "3.3", "BackupState": "new", "Date": when}, fh, fmt=plistlib.FMT_BINARY)
    for dirpath, dirs, names in os.walk(out):
        for n in dirs + names:
            os.utime(os.path.join(dirpath, n), (1725000000, 1725000000))


if __name__ == "__main__":
    main(sys.argv[1], "--hostile" in sys.argv[2:])
