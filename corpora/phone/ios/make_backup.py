#!/usr/bin/env python3
"""Writes a synthetic, unencrypted iTunes/Finder backup folder of an invented iPhone: `Manifest.db`
(table `Files(fileID, domain, relativePath, flags, file)`), `Manifest.plist`, `Info.plist`,
`Status.plist`, and each file stored under its SHA-1 name `<fileID[0:2]>/<fileID>` where
fileID = SHA-1(domain + "-" + relativePath) — the layout Apple's backups use (public facts:
shared/FORMATS-mobile.md §1.1). Used by the engine tests; deterministic.

    python3 make_backup.py OUT_DIR [--hostile] [--encrypted PASSWORD [--drop-key] [--damage-keybag]
                                   [--huge-rounds] [--damage-file] [--damage-manifest] [--big MIB]
                                   [--crash-once] [--real-rounds]]

--hostile adds a file Manifest.db names but the folder lacks, a file the manifest does not name,
and a domain with no known device folder.

--encrypted PASSWORD writes the same content as an encrypted backup, our own implementation of the
publicly documented iOS 10.2+ scheme (shared/FORMATS-mobile.md §1.1): a `BackupKeyBag` (TLV:
4-byte tag, 4-byte big-endian length, value) whose class keys are AES-wrapped (RFC 3394) with the
passcode key PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(password, DPSL, DPIC), SALT, ITER, 32);
`ManifestKey` = 4-byte little-endian class + the Manifest.db key wrapped with that class key;
Manifest.db and every file AES-256-CBC (zero IV, PKCS#7) with their own keys; each file's key sits
in its `file` column, an NSKeyedArchiver property list (MBFile: EncryptionKey = 4-byte class +
wrapped key, ProtectionClass, Size). Salts, keys and iteration counts are fixed (small counts so the
tests stay fast), so the output is deterministic. --drop-key leaves the camera-roll picture without
an EncryptionKey; --damage-keybag cuts the keybag inside a class key; --huge-rounds declares DPIC
4,000,000,000 in the keybag (the keys are still made with the small count); --damage-file cuts 5
bytes off the stored Telegram note (no longer whole AES blocks); --damage-manifest cuts the last
16 bytes off the encrypted Manifest.db (its padding no longer checks); --big MIB adds a MIB-MiB
video file (deterministic bytes) to the camera roll, for memory measurements; --crash-once adds a
text file starting with CRASH-ONCE, on which the engine test bed's analyzer crashes the worker the
first time (Tests/TestBed), to test resuming inside an encrypted backup; --real-rounds uses the round
counts of real backups (DPIC 10,000,000, ITER 10,000) instead of the small ones, for timing the unlock.
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


def tlv(tag, value):
    if isinstance(value, int):
        value = value.to_bytes(4, "big")
    return tag.encode() + len(value).to_bytes(4, "big") + value


def fixed(label, n):
    """Deterministic 'random' bytes for keys and salts."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


class Encryptor:
    CLASSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    DPIC, ITER = 1000, 100

    def __init__(self, password, damage, huge_rounds=False, real_rounds=False):
        if real_rounds:
            self.DPIC, self.ITER = 10_000_000, 10_000
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
        from cryptography.hazmat.primitives.keywrap import aes_key_wrap
        self.wrap = aes_key_wrap
        dpsl, salt = fixed("dpsl", 20), fixed("salt", 20)
        first = PBKDF2HMAC(hashes.SHA256(), 32, dpsl, self.DPIC).derive(password.encode())
        self.passcode = PBKDF2HMAC(hashes.SHA1(), 32, salt, self.ITER).derive(first)
        self.class_keys = {c: fixed(f"class{c}", 32) for c in self.CLASSES}
        bag = b"".join([tlv("VERS", 4), tlv("TYPE", 1), tlv("UUID", fixed("bag-uuid", 16)), tlv("HMCK", fixed("hmck", 40)),
                        tlv("WRAP", 0), tlv("SALT", salt), tlv("ITER", self.ITER), tlv("DPWT", 1), tlv("DPIC", 4_000_000_000 if huge_rounds else self.DPIC),
                        tlv("DPSL", dpsl)])
        for c in self.CLASSES:
            bag += tlv("UUID", fixed(f"uuid{c}", 16)) + tlv("CLAS", c) + tlv("WRAP", 2) + tlv("KTYP", 0)
            bag += tlv("WPKY", aes_key_wrap(self.passcode, self.class_keys[c]))
        if damage:
            bag = bag[:len(bag) - 20]
        self.keybag = bag

    def wrapped(self, cls, key):
        return cls.to_bytes(4, "little") + self.wrap(self.class_keys[cls], key)

    @staticmethod
    def encrypt(key, data):
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        p = padding.PKCS7(128).padder()
        padded = p.update(data) + p.finalize()
        e = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
        return e.update(padded) + e.finalize()


def mbfile(size, cls, encryption_key):
    """The `file` column: an NSKeyedArchiver archive of an MBFile."""
    U = plistlib.UID
    root = {"$class": U(3), "Size": size, "ProtectionClass": cls, "Mode": 0o100644, "Flags": 0,
            "LastModified": 1725000000, "Birth": 1725000000, "InodeNumber": 1, "UserID": 501, "GroupID": 501,
            "RelativePath": U(4)}
    objects = ["$null", root, None, {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]}, "relative"]
    if encryption_key is not None:
        root["EncryptionKey"] = U(2)
        objects[2] = {"NS.data": encryption_key, "$class": U(5)}
        objects.append({"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]})
    else:
        objects[2] = "$null"
    return plistlib.dumps({"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": U(1)}, "$objects": objects},
                          fmt=plistlib.FMT_BINARY)


def big_bytes(mib):
    """`mib` MiB of deterministic, incompressible-looking bytes (SHA-256 counter stream)."""
    block = b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(32768))  # 1 MiB
    return block * mib


def main(out, hostile, password=None, drop_key=False, damage=False, huge_rounds=False, damage_file=False,
         damage_manifest=False, big=0, crash_once=False, real_rounds=False):
    enc = Encryptor(password, damage, huge_rounds, real_rounds) if password is not None else None
    os.makedirs(out, exist_ok=True)
    rows = []
    files = list(FILES)
    if hostile:
        files.append(("UnknownVendorDomain", "x/y.bin", b"unknown domain"))
    if crash_once:
        files.append(("HomeDomain", "Library/Notes/crash.txt", b"CRASH-ONCE\nthe test bed crashes on this once\n"))
    if big:
        files.append(("CameraRollDomain", "Media/DCIM/100APPLE/IMG_0003.MOV", big_bytes(big)))
    for domain, rel, data in files:
        if data is None:
            data = sqlite_bytes("ZWAMESSAGE" if rel.endswith("ChatStorage.sqlite") else "message")
        fid = hashlib.sha1(f"{domain}-{rel}".encode()).hexdigest()
        os.makedirs(os.path.join(out, fid[:2]), exist_ok=True)
        stored, info = data, plistlib.dumps({"Size": len(data)}, fmt=plistlib.FMT_BINARY)
        if enc is not None:
            key = fixed("file/" + fid, 32)
            stored = enc.encrypt(key, data)
            wrapped = None if (drop_key and domain == "CameraRollDomain") else enc.wrapped(3, key)
            info = mbfile(len(data), 3, wrapped)
            if damage_file and domain.startswith("AppDomain-ph.telegra"):
                stored = stored[:-5]
        with open(os.path.join(out, fid[:2], fid), "wb") as fh:
            fh.write(stored)
        rows.append((fid, domain, rel, 1, info))
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
    manifest_extra = {}
    if enc is not None:
        plain = open(db, "rb").read()
        manifest_key = fixed("manifest-key", 32)
        sealed = enc.encrypt(manifest_key, plain)
        with open(db, "wb") as fh:
            fh.write(sealed[:-16] if damage_manifest else sealed)
        manifest_extra = {"IsEncrypted": True, "BackupKeyBag": enc.keybag, "ManifestKey": enc.wrapped(4, manifest_key)}
    when = datetime.datetime(2024, 8, 30, 4, 0, 0)  # plistlib: naive = UTC
    with open(os.path.join(out, "Info.plist"), "wb") as fh:
        plistlib.dump({"Device Name": "서연의 iPhone", "Product Type": "iPhone14,5", "Product Version": "17.5.1",
                       "Serial Number": "SYNTHETIC0001", "Unique Identifier": "00008110-SYNTHETIC",
                       "Build Version": "21F90", "Last Backup Date": when}, fh)
    with open(os.path.join(out, "Manifest.plist"), "wb") as fh:
        plistlib.dump({"Version": "10.0", "IsEncrypted": False, "Date": when, **manifest_extra}, fh, fmt=plistlib.FMT_BINARY)
    with open(os.path.join(out, "Status.plist"), "wb") as fh:
        plistlib.dump({"IsFullBackup": False, "Version": "3.3", "BackupState": "new", "Date": when}, fh, fmt=plistlib.FMT_BINARY)
    for dirpath, dirs, names in os.walk(out):
        for n in dirs + names:
            os.utime(os.path.join(dirpath, n), (1725000000, 1725000000))


if __name__ == "__main__":
    args = sys.argv[2:]
    pw = args[args.index("--encrypted") + 1] if "--encrypted" in args else None
    big = int(args[args.index("--big") + 1]) if "--big" in args else 0
    main(sys.argv[1], "--hostile" in args, pw, "--drop-key" in args, "--damage-keybag" in args, "--huge-rounds" in args,
         "--damage-file" in args, "--damage-manifest" in args, big, "--crash-once" in args, "--real-rounds" in args)
