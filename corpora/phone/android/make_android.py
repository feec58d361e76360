#!/usr/bin/env python3
"""Builds the synthetic Android full-file-system extraction used by the end-to-end tests and
`make demo`: Seoyeon's phone, with Telegram, WhatsApp and KakaoTalk databases (their fixtures from
corpora/phone/<app>/, each made by its own generator from public format facts), the media files
those databases name, and one known-bad picture (the concert photo of corpora/sample-case) shared
in a chat of each app.

    python3 corpora/phone/android/make_android.py [OUT_DIR]

Writes into OUT_DIR (default: this folder):
  android-ffs.tar           the tree under the vendor prefix `Dump/` (WAL files listed before
                            their databases, `system/` first — order must not matter)
Tests also build, from the same tree, a tar with another prefix and a plain folder
(make_tree() below), and expect the same device digest.

Deterministic: fixed order, fixed mtimes (2024-08-30T12:00:00Z), uid/gid 0, PAX format.
"""
import io
import os
import shutil
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PHONE = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PHONE))
SAMPLE = os.path.join(ROOT, "corpora", "sample-case", "phone-dump.zip")
MTIME = 1725019200  # 2024-08-30T12:00:00Z

# Database fixtures: source (relative to corpora/phone) → device path.
DATABASES = [
    ("telegram/cache4.db", "/data/data/org.telegram.messenger/files/cache4.db"),
    ("telegram/cache4.db-wal", "/data/data/org.telegram.messenger/files/cache4.db-wal"),
    ("whatsapp/current/msgstore.db", "/data/data/com.whatsapp/databases/msgstore.db"),
    ("whatsapp/current/msgstore.db-wal", "/data/data/com.whatsapp/databases/msgstore.db-wal"),
    ("whatsapp/current/wa.db", "/data/data/com.whatsapp/databases/wa.db"),
    ("kakaotalk/KakaoTalk.db", "/data/data/com.kakao.talk/databases/KakaoTalk.db"),
    ("kakaotalk/KakaoTalk.db-wal", "/data/data/com.kakao.talk/databases/KakaoTalk.db-wal"),
    ("kakaotalk/KakaoTalk2.db", "/data/data/com.kakao.talk/databases/KakaoTalk2.db"),
]

# Media from the sample case (member of phone-dump.zip) → device paths where the apps keep it.
MEDIA = [
    ("sdcard/DCIM/Camera/IMG_20240828_151203.jpg", "/data/media/0/DCIM/Camera/IMG_20240828_151203.jpg"),
    ("sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg",
     "/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA0001.jpg"),
    ("sdcard/Download/Telegram/photo_1@28-08-2024_15-12-03.jpg",
     "/data/media/0/Telegram/Telegram Images/1_5093283017420340712.jpg"),
    ("sdcard/DCIM/Camera/IMG_20240829_190541.jpg", "/data/media/0/DCIM/Camera/IMG_20240829_190541.jpg"),
]

OTHER = [
    ("/system/build.prop", b"ro.product.brand=Synthetic\nro.product.model=Exhibit Demo Phone\nro.build.version.release=14\n"),
]


def contents():
    """Device path → bytes, in a fixed order."""
    out = {}
    for path, data in OTHER:
        out[path] = data
    for src, dst in DATABASES:
        full = os.path.join(PHONE, src)
        if not os.path.exists(full):
            if src.endswith("-wal"):
                continue
            sys.exit(f"missing fixture {full}: run its generator first")
        with open(full, "rb") as fh:
            out[dst] = fh.read()
    with zipfile.ZipFile(SAMPLE) as z:
        for member, dst in MEDIA:
            out[dst] = z.read(member)
    return out


def order(path):
    """`system/` first, WAL files before their databases, the rest by name."""
    return (0 if path.startswith("/system/") else 1 if path.endswith("-wal") else 2, path)


def make_tree(out_dir):
    """The tree as a plain folder: OUT_DIR/<device path>."""
    for path, data in contents().items():
        full = os.path.join(out_dir, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data)
    for dirpath, dirs, files in os.walk(out_dir):
        for n in dirs + files:
            os.utime(os.path.join(dirpath, n), (MTIME, MTIME))


def make_tar(out, prefix):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for path, data in sorted(contents().items(), key=lambda kv: order(kv[0])):
            info = tarfile.TarInfo(prefix + path.lstrip("/"))
            info.size = len(data)
            info.mtime = MTIME
            info.mode = 0o660
            t.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--tree":
        make_tree(args[1])
    elif args and args[0] == "--tar":
        make_tar(args[1], args[2] if len(args) > 2 else "Dump/")
    else:
        out_dir = args[0] if args else HERE
        make_tar(os.path.join(out_dir, "android-ffs.tar"), "Dump/")
