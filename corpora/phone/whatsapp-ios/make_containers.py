#!/usr/bin/env python3
"""Puts the committed WhatsApp for iOS fixture (current/ChatStorage.sqlite with its -wal and
ContactsV2.sqlite) and the photo its message Z_PK 5 names into the three shapes an iPhone reaches
the lab in, for the engine's end-to-end test. Synthetic data only; deterministic except for the
WAL salts already in the committed -wal.

    python3 make_containers.py --ffs OUT.zip        iOS full-file-system zip (app group folder is a UUID)
    python3 make_containers.py --backup OUT_DIR     iTunes/Finder backup folder (Manifest.db, SHA-1 names)
    python3 make_containers.py --encrypted-backup OUT_DIR PASSWORD
                                                    the same backup, encrypted (corpora/phone/ios/make_backup.py's
                                                    implementation of the iOS 10.2+ scheme; the -wal is its own
                                                    encrypted file, as on a real backup)
    python3 make_containers.py --ufdr OUT.ufdr      Cellebrite-style UFDR (report.xml, files/<Category>/)

The photo is the sample case's concert picture (corpora/sample-case/phone-dump.zip member
sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg), stored at
<app group>/Message/Media/120363025551234567@g.us/5/0/50e1c6a2-3f4d-4b8e-9a71-c2d5e8f01234.jpg.
"""
import datetime
import hashlib
import os
import plistlib
import sqlite3
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.dirname(os.path.dirname(HERE))
UUID = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
UDID = "00008110-000A1B2C3D4E5F60"  # invented; the backups' Info.plist "Unique Identifier"
GROUP_ID = "group.net.whatsapp.WhatsApp.shared"
PHOTO = "Message/Media/120363025551234567@g.us/5/0/50e1c6a2-3f4d-4b8e-9a71-c2d5e8f01234.jpg"
WHEN = (2024, 8, 30, 13, 0, 0)


def contents():
    """Path relative to the app group folder → bytes, in a fixed order."""
    out = {}
    for name in ("ChatStorage.sqlite", "ChatStorage.sqlite-wal", "ContactsV2.sqlite"):
        with open(os.path.join(HERE, "current", name), "rb") as f:
            out[name] = f.read()
    with zipfile.ZipFile(os.path.join(CORPORA, "sample-case", "phone-dump.zip")) as z:
        out[PHOTO] = z.read("sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg")
    return out


def write_zip(out, members):
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def ffs(out):
    base = f"private/var/mobile/Containers/Shared/AppGroup/{UUID}/"
    write_zip(out, [(base + rel, data) for rel, data in contents().items()])


def encryptor(password):
    """make_backup.py's keybag and AES helpers (small, fixed round counts; deterministic)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_backup", os.path.join(CORPORA, "phone", "ios", "make_backup.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, mod.Encryptor(password, False)


def backup(out, password=None):
    os.makedirs(out, exist_ok=True)
    mod, enc = encryptor(password) if password is not None else (None, None)
    domain = "AppDomainGroup-" + GROUP_ID
    rows = []
    for rel, data in contents().items():
        fid = hashlib.sha1(f"{domain}-{rel}".encode()).hexdigest()
        os.makedirs(os.path.join(out, fid[:2]), exist_ok=True)
        info = plistlib.dumps({"Size": len(data)}, fmt=plistlib.FMT_BINARY)
        if enc is not None:
            key = mod.fixed("file/" + fid, 32)
            data, info = enc.encrypt(key, data), mod.mbfile(len(data), 3, enc.wrapped(3, key))
        with open(os.path.join(out, fid[:2], fid), "wb") as f:
            f.write(data)
        rows.append((fid, domain, rel, 1, info))
    db = os.path.join(out, "Manifest.db")
    if os.path.exists(db):
        os.remove(db)
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)")
    c.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
    c.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
    c.commit()
    c.close()
    extra = {}
    if enc is not None:
        manifest_key = mod.fixed("manifest-key", 32)
        with open(db, "rb") as f:
            sealed = enc.encrypt(manifest_key, f.read())
        with open(db, "wb") as f:
            f.write(sealed)
        extra = {"IsEncrypted": True, "BackupKeyBag": enc.keybag, "ManifestKey": enc.wrapped(4, manifest_key)}
    when = datetime.datetime(*WHEN)  # plistlib: naive = UTC
    with open(os.path.join(out, "Info.plist"), "wb") as f:
        plistlib.dump({"Device Name": "서연의 iPhone", "Product Type": "iPhone14,5", "Product Version": "17.5.1",
                       "Serial Number": "SYNTHETIC0001", "Unique Identifier": UDID, "Last Backup Date": when}, f)
    with open(os.path.join(out, "Manifest.plist"), "wb") as f:
        plistlib.dump({"Version": "10.0", "IsEncrypted": False, "Date": when, **extra}, f, fmt=plistlib.FMT_BINARY)
    with open(os.path.join(out, "Status.plist"), "wb") as f:
        plistlib.dump({"IsFullBackup": False, "Version": "3.3", "Date": when}, f, fmt=plistlib.FMT_BINARY)


def vendor_chats():
    """The vendor's own decoded chats (`<decodedData>`): a second source the engine compares with
    its own decoding. Like a tool that read the database without its -wal, it lists the 8 messages
    of the main file (two chats: Minji 5, the group 3), not the 2 that exist only in the -wal."""
    def chat(cid, messages):
        ims = "".join(f'<model type="InstantMessage" id="{cid}m{n}"><field name="Source" type="String"><value type="String">WhatsApp</value></field></model>'
                      for n in range(messages))
        return (f'<model type="Chat" id="{cid}"><field name="Source" type="String"><value type="String">WhatsApp</value></field>'
                f'<multiModelField name="Messages">{ims}</multiModelField></model>')
    return ['<decodedData><modelType type="Chat">' + chat("c1", 5) + chat("c2", 3) + '</modelType></decodedData>']


def ufdr(out):
    base = f"/private/var/mobile/Containers/Shared/AppGroup/{UUID}/"
    members, entries = [], []
    for i, (rel, data) in enumerate(contents().items()):
        category = "Image" if rel.endswith(".jpg") else "Database"
        member = f"files/{category}/{os.path.basename(rel)}"
        members.append((member, data))
        entries.append(f'<file fs="iPhone" fsid="fs0" id="f{i}" extractionId="0" deleted="Intact" path="{base + rel}">'
                       f'<metadata section="File"><item name="Local Path"><![CDATA[{member.replace("/", chr(92))}]]></item>'
                       f'</metadata></file>')
    xml = ['<?xml version="1.0" encoding="utf-8"?>',
           '<project id="synthetic" name="Synthetic UFDR" reportVersion="7.0" xmlns="http://pa.cellebrite.com/report/2.0">',
           '<sourceExtractions><extractionInfo id="0" name="Full File System" isCustomName="False" type="FileSystem" '
           'deviceName="서연의 iPhone" fullName="Apple iPhone 13 mini" index="0" IsPartialData="False" /></sourceExtractions>',
           '<taggedFiles>'] + entries + ['</taggedFiles>'] + vendor_chats() + ['</project>']
    write_zip(out, [("report.xml", "\n".join(xml).encode())] + members)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--encrypted-backup":
        backup(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[1] not in ("--ffs", "--backup", "--ufdr"):
        sys.exit(__doc__)
    {"--ffs": ffs, "--backup": backup, "--ufdr": ufdr}[sys.argv[1]](sys.argv[2])
