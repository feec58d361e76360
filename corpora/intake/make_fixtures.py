#!/usr/bin/env python3
"""Regenerates the intake fixtures in corpora/intake/ and their expected.json.

Every fixture is made by a real tool (Info-ZIP zip, 7z, GNU tar, bsdtar, cpio, xorriso, gcab, ar,
gzip/bzip2/xz/zstd/lz4/lzip, python3 zipfile/tarfile) or, for crafted hostile zips and RAR, by the
byte-level writers below that follow the public format specifications. Content, names and times
are fixed; randomness comes from seeded `random.Random`. Tests never run this script: the output
is committed.

Usage:  python3 make_fixtures.py            # regenerate (keeps existing encrypted fixtures)
        python3 make_fixtures.py --force-random   # also remake fixtures whose tools salt randomly

Encrypted fixtures (ZipCrypto, AES zip, 7z AES) embed a random salt/IV chosen by the encoder, so
their bytes change on every run; they are kept as committed unless --force-random is given.
Nothing in expected.json depends on their bytes.
"""
from __future__ import annotations

import binascii
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: 2024-08-28T06:12:03Z = 2024-08-28 15:12:03 in Asia/Seoul. Every file time is derived from it.
EPOCH = 1724825523
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8", SOURCE_DATE_EPOCH=str(EPOCH))
ENV.pop("ZIPOPT", None)
ENV.pop("GZIP", None)
ENV.pop("XZ_OPT", None)
ENV.pop("ZSTD_CLEVEL", None)

FORCE_RANDOM = "--force-random" in sys.argv

EXPECTED: list[dict] = []
#: fixture name -> how it was made and what it covers (feeds README table check).
NOTES: dict[str, str] = {}
#: fixture -> list of (entry name as libarchive reports it, reference bytes or None) for bsdtar checks.
CHECKS: dict[str, dict] = {}


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------

def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def run(cmd, cwd=None, stdin: bytes | None = None, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, cwd=cwd, input=stdin, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {cmd}\n{p.stderr.decode(errors='replace')}")
    return p


def text_blob(title: str, lines: int) -> bytes:
    """Deterministic, mildly compressible text (ratio ~3-5, far below any ratio budget)."""
    rng = random.Random(title)
    words = ("evidence exhibit seized archive phone backup chat photo hash examiner case report "
             "timeline message sender room upload download device memory card folder note").split()
    out = [f"# {title}"]
    for i in range(lines):
        out.append(f"{i:04d} " + " ".join(rng.choice(words) for _ in range(rng.randint(4, 12))))
    return ("\n".join(out) + "\n").encode()


def random_blob(seed: str, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


def write_tree(root: Path, files: dict[str, bytes], dirs: tuple[str, ...] = (), mtime: int = EPOCH) -> None:
    """Writes files (and empty dirs) under root and pins every mtime, deepest first."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        p.chmod(0o644)
    allp = sorted(root.rglob("*"), key=lambda p: -len(p.parts))
    for p in allp:
        if p.is_dir():
            p.chmod(0o755)
        os.utime(p, (mtime, mtime), follow_symlinks=False)
    os.utime(root, (mtime, mtime))


def gnu_tar(src: Path, members: list[str], fmt: str = "gnu", extra: list[str] | None = None) -> bytes:
    """GNU tar of exactly `members` (no recursion), numeric root owner, pinned mtime."""
    cmd = ["tar", "-C", str(src), f"--format={fmt}", "--no-recursion", "--numeric-owner",
           "--owner=0", "--group=0", f"--mtime=@{EPOCH}", "-cf", "-"]
    if fmt == "pax":
        cmd += ["--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime"]
    cmd += (extra or []) + ["--"] + members
    return run(cmd).stdout


def pin_sparse_names(tar: bytes) -> bytes:
    """GNU tar names pax-sparse members `GNUSparseFile.<pid>/name` (hard-coded %p): replace the pid by
    zeros of the same width and fix the header checksum, so the bytes do not depend on the process."""
    import re
    b = bytearray(tar)
    for m in re.finditer(rb"GNUSparseFile\.(\d+)/", tar):
        hdr = (m.start() // 512) * 512
        b[m.start(1):m.end(1)] = b"0" * (m.end(1) - m.start(1))
        b[hdr + 148:hdr + 156] = b" " * 8
        b[hdr + 148:hdr + 156] = b"%06o\0 " % sum(b[hdr:hdr + 512])
    return bytes(b)


def compress(tool: list[str], data: bytes) -> bytes:
    return run(tool, stdin=data).stdout


GZIP = ["gzip", "-n", "-9", "-c"]
BZIP2 = ["bzip2", "-9", "-c"]
XZ = ["xz", "-T1", "-6", "-c"]
ZSTD = ["zstd", "-19", "-q", "-c", "--no-progress"]
LZ4 = ["lz4", "-9", "-q", "-c"]
LZIP = ["lzip", "-9", "-c"]


def out(name: str) -> Path:
    return HERE / name


def save(name: str, data: bytes) -> bytes:
    out(name).write_bytes(data)
    return data


def keep_random(name: str) -> bool:
    """True when a salted fixture already exists and must not be remade (see module doc)."""
    return out(name).exists() and not FORCE_RANDOM


def ent(path: str, data: bytes | None = None, status: str = "ok", kind: str | None = "file", **kw) -> dict:
    """One expected entry; sha256/size come from the reference bytes we wrote."""
    e: dict = {"path": path, "status": status}
    if kind:
        e["kind"] = kind
    if data is not None:
        e["sha256"] = sha(data)
        e["size"] = len(data)
    for k, v in kw.items():
        if v is not None:
            e[k] = v
    if "status_any" in e:
        del e["status"]
    return e


def dirent(path: str) -> dict:
    return {"path": path, "status": "ok", "kind": "directory"}


def expect(fixture: str, entries: list[dict], status: str | list[str] = "ok", exact: bool = True,
           budgets: dict | None = None, flags: list[str] | None = None, note: str = "", **extra) -> None:
    c: dict = {"status_any": status} if isinstance(status, list) else {"status": status}
    if flags:
        c["flags"] = flags
    obj: dict = {"fixture": fixture}
    if budgets:
        obj["budgets"] = budgets
    obj["container"] = c
    obj["entries"] = entries
    obj["entries_exact"] = exact
    obj.update(extra)
    if note:
        obj["note"] = note
    EXPECTED.append(obj)


def check(fixture: str, members: dict[str, bytes | None] | None = None, list_ok: bool = True,
          lister_names: list[str] | None = None) -> None:
    """Registers a bsdtar acceptance check: `bsdtar -tf` must succeed (or fail) and, for each
    member with reference bytes, `bsdtar -xOf fixture member` must give exactly those bytes."""
    CHECKS[fixture] = {"members": members or {}, "list_ok": list_ok, "names": lister_names}


def dos_datetime(y, mo, d, h, mi, s) -> tuple[int, int]:
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


# --------------------------------------------------------------------------------------------
# a byte-level zip writer for crafted (hostile) zips — PKWARE APPNOTE 6.3.x layout
# --------------------------------------------------------------------------------------------

class ZEntry:
    def __init__(self, name: bytes, data: bytes, method: int = 8, **kw):
        self.name = name
        self.cd_name = kw.get("cd_name", name)
        self.data = data
        self.method = method
        self.flags = kw.get("flags", 0)
        self.dos = kw.get("dos", dos_datetime(2024, 8, 28, 15, 12, 2))
        self.extra_local = kw.get("extra_local", b"")
        self.extra_cd = kw.get("extra_cd", self.extra_local)
        self.made_by = kw.get("made_by", (3 << 8) | 20)   # Unix, spec 2.0
        self.external = kw.get("external", (0o100644 << 16))
        if method == 8:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.comp = co.compress(data) + co.flush()
        else:
            self.comp = data
        self.comp = kw.get("comp", self.comp)
        self.crc = kw.get("crc", zlib.crc32(data))
        self.local_sizes = kw.get("local_sizes", (len(self.comp), len(data)))
        self.cd_sizes = kw.get("cd_sizes", (len(self.comp), len(data)))
        self.offset = 0

    def local_header(self) -> bytes:
        t, d = self.dos
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, self.flags, self.method, t, d, self.crc,
                           self.local_sizes[0], self.local_sizes[1], len(self.name),
                           len(self.extra_local)) + self.name + self.extra_local

    def cd_header(self) -> bytes:
        t, d = self.dos
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, self.made_by, 20, self.flags, self.method,
                           t, d, self.crc, self.cd_sizes[0], self.cd_sizes[1], len(self.cd_name),
                           len(self.extra_cd), 0, 0, 0, self.external, self.offset) \
            + self.cd_name + self.extra_cd


def eocd(count: int, cd_size: int, cd_offset: int, count_total: int | None = None) -> bytes:
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count if count_total is None else count_total,
                       cd_size, cd_offset, 0)


def build_zip(entries: list[ZEntry], eocd_count: int | None = None) -> bytes:
    buf = bytearray()
    for e in entries:
        e.offset = len(buf)
        buf += e.local_header() + e.comp
    cd_off = len(buf)
    for e in entries:
        buf += e.cd_header()
    n = len(entries) if eocd_count is None else eocd_count
    buf += eocd(n, len(buf) - cd_off, cd_off)
    return bytes(buf)


def zipfile_bytes(files: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED,
                  dt=(2024, 8, 28, 15, 12, 2)) -> bytes:
    """python3 zipfile with pinned times and Unix modes (deterministic)."""
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", compression=method, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, date_time=dt)
            zi.compress_type = method
            zi.create_system = 3
            zi.external_attr = (0o100644 << 16) if not name.endswith("/") else ((0o40755 << 16) | 0x10)
            z.writestr(zi, data)
    return bio.getvalue()


def patch_zip_times(data: bytes, dos: tuple[int, int]) -> bytes:
    """Pins DOS time/date in every local and central header (Info-ZIP stamps stdin entries 'now')."""
    b = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for zi in z.infolist():
            struct.pack_into("<HH", b, zi.header_offset + 10, *dos)
    i = b.find(b"PK\x01\x02")
    while i != -1:
        struct.pack_into("<HH", b, i + 12, *dos)
        i = b.find(b"PK\x01\x02", i + 4)
    return bytes(b)


# --------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------

TREE = {
    "hello.txt": b"Hello, Exhibit!\n",
    "docs/notes.txt": text_blob("docs/notes.txt", 120),
    "data/blob.bin": random_blob("data/blob.bin", 3000),
}
TREE_MEMBERS = ["data", "data/blob.bin", "docs", "docs/notes.txt", "hello.txt"]


def tree_entries(prefix: str = "", dirs: bool = True) -> list[dict]:
    es = []
    for m in TREE_MEMBERS:
        if m in TREE:
            es.append(ent(prefix + m, TREE[m]))
        elif dirs:
            es.append(dirent(prefix + m))
    return es


def make_formats(tmp: Path) -> None:
    st = tmp / "tree"
    write_tree(st, TREE)
    members = {m: TREE.get(m) for m in TREE_MEMBERS}

    # Info-ZIP zip, -X: no extra fields, so the bytes do not depend on the uid of the maker.
    for name, level in (("fmt-zip-deflate.zip", "-9"), ("fmt-zip-stored.zip", "-0")):
        z = tmp / name
        run(["zip", "-q", "-X", "-r", level, str(z), "data", "docs", "hello.txt"], cwd=st)
        save(name, z.read_bytes())
        expect(name, tree_entries())
        check(name, members)
        NOTES[name] = f"Info-ZIP `zip -X -r {level}` of the standard tree (3 files, 2 directories)."

    # zip64: Info-ZIP writes Zip64 (local extra 0x0001, Zip64 EOCD record + locator) when it streams
    # stdin; the entry is then named "-" (as in real `cmd | zip out.zip -` archives). zipnote would
    # rename it but drops the Zip64 records, so the name stays.
    z = tmp / "z64.zip"
    payload = text_blob("zip64 from stdin", 40)
    run(["zip", "-q", "-X", str(z), "-"], stdin=payload)
    data = patch_zip_times(z.read_bytes(), dos_datetime(2024, 8, 28, 6, 12, 2))
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data, "expected Zip64 EOCD record and locator"
    save("fmt-zip64.zip", data)
    expect("fmt-zip64.zip", [ent("-", payload)])
    check("fmt-zip64.zip", {"-": payload})
    NOTES["fmt-zip64.zip"] = ("`cmd | zip -X archive -` (Info-ZIP streams stdin as Zip64: local extra 0x0001 with "
                              "0xFFFFFFFF sizes, Zip64 EOCD record and locator; the entry is named `-`); DOS "
                              "time pinned afterwards (stdin entries are stamped 'now').")

    tar = gnu_tar(st, TREE_MEMBERS)
    save("fmt-tar-gnu.tar", tar)
    expect("fmt-tar-gnu.tar", tree_entries())
    check("fmt-tar-gnu.tar", members)
    NOTES["fmt-tar-gnu.tar"] = "GNU tar 1.34 `--format=gnu`, explicit member list, root owner, pinned mtime."
    for suffix, tool, what in ((".tar.gz", GZIP, "gzip -n -9"), (".tar.bz2", BZIP2, "bzip2 -9"),
                               (".tar.xz", XZ, "xz -T1 -6"), (".tar.zst", ZSTD, "zstd -19"),
                               (".tar.lz4", LZ4, "lz4 -9"), (".tar.lz", LZIP, "lzip -9")):
        name = "fmt" + suffix
        save(name, compress(tool, tar))
        expect(name, tree_entries())
        check(name, members)
        NOTES[name] = f"fmt-tar-gnu.tar piped through `{what}`."
    xzl = ["xz", "--format=lzma", "-6", "-c"]
    save("fmt.tar.lzma", compress(xzl, tar))
    expect("fmt.tar.lzma", tree_entries())
    check("fmt.tar.lzma", members)
    NOTES["fmt.tar.lzma"] = "fmt-tar-gnu.tar piped through `xz --format=lzma` (legacy .lzma filter)."

    ustar = gnu_tar(st, TREE_MEMBERS, fmt="ustar")
    save("fmt-tar-ustar.tar", ustar)
    expect("fmt-tar-ustar.tar", tree_entries())
    check("fmt-tar-ustar.tar", members)
    NOTES["fmt-tar-ustar.tar"] = "GNU tar `--format=ustar` (POSIX.1-1988) of the standard tree."

    # 7z: mtime only (no ctime/atime), LZMA2, solid.
    z = tmp / "t.7z"
    run(["7z", "a", "-t7z", "-mx=9", "-mtc=off", "-mta=off", "-mtm=on", str(z), "data", "docs", "hello.txt"], cwd=st)
    save("fmt-7z.7z", z.read_bytes())
    expect("fmt-7z.7z", tree_entries())
    check("fmt-7z.7z", members)
    NOTES["fmt-7z.7z"] = "`7z a -t7z -mx=9 -mtm=on -mtc=off -mta=off` of the standard tree."

    # ISO 9660 + Rock Ridge + Joliet; SOURCE_DATE_EPOCH pins volume dates and the UUID.
    iso = tmp / "t.iso"
    run(["xorriso", "-as", "mkisofs", "-quiet", "-no-pad", "-R", "-J", "-V", "EXHIBIT_TEST", "-o", str(iso), str(st)])
    save("fmt-iso9660.iso", iso.read_bytes())
    # libarchive also returns the root directory as an entry named "." (sanitizes to ""): not exact.
    expect("fmt-iso9660.iso", tree_entries(), exact=False)
    check("fmt-iso9660.iso", members)
    NOTES["fmt-iso9660.iso"] = ("`xorriso -as mkisofs -R -J -V EXHIBIT_TEST` with SOURCE_DATE_EPOCH "
                                "(Rock Ridge names and modes, Joliet).")

    # cpio newc, reproducible (renumbered inodes, no device numbers).
    lst = ("\n".join(TREE_MEMBERS) + "\n").encode()
    cp = run(["cpio", "-o", "-H", "newc", "--reproducible", "--quiet"], cwd=st, stdin=lst).stdout
    save("fmt-cpio-newc.cpio", cp)
    expect("fmt-cpio-newc.cpio", tree_entries())
    check("fmt-cpio-newc.cpio", members)
    NOTES["fmt-cpio-newc.cpio"] = "GNU cpio `-o -H newc --reproducible` of the standard tree."

    # cab: gcab with MSZIP; paths keep their folders (stored with backslashes).
    cab = tmp / "t.cab"
    run(["gcab", "-c", "-z", str(cab), "hello.txt", "docs/notes.txt", "data/blob.bin"], cwd=st)
    save("fmt-cab-mszip.cab", cab.read_bytes())
    expect("fmt-cab-mszip.cab", tree_entries(dirs=False))
    check("fmt-cab-mszip.cab", {k: v for k, v in members.items() if v is not None})
    NOTES["fmt-cab-mszip.cab"] = "`gcab -c -z` (MSZIP) of the three files; cab has no directory entries."

    # ar: deterministic mode (zero times/uids), flat names only.
    arf = tmp / "t.a"
    flat = tmp / "flat"
    write_tree(flat, {"hello.txt": TREE["hello.txt"], "notes.txt": TREE["docs/notes.txt"],
                      "blob.bin": TREE["data/blob.bin"], "a-long-member-name.txt": b"long names use the // table\n"})
    run(["ar", "rcD", str(arf), "hello.txt", "notes.txt", "blob.bin", "a-long-member-name.txt"], cwd=flat)
    save("fmt-ar.a", arf.read_bytes())
    arm = {"hello.txt": TREE["hello.txt"], "notes.txt": TREE["docs/notes.txt"], "blob.bin": TREE["data/blob.bin"],
           "a-long-member-name.txt": b"long names use the // table\n"}
    # libarchive returns the GNU long-name table itself as an entry named "//" (size 0, no type);
    # members have no file-type bits (bsdtar shows "?rw-r--r--"), so no kind is asserted.
    expect("fmt-ar.a", [ent(k, v, kind=None) for k, v in arm.items()], exact=False)
    check("fmt-ar.a", arm)
    NOTES["fmt-ar.a"] = "GNU ar `rcD` (deterministic) with a >15-character name (GNU `//` long-name table)."

    # bare compressed single files: the entry is the evidence name without the compression suffix.
    notes = TREE["docs/notes.txt"]
    for ext, tool, what in ((".gz", GZIP, "gzip -n -9"), (".xz", XZ, "xz -T1"), (".bz2", BZIP2, "bzip2 -9"),
                            (".zst", ZSTD, "zstd -19"), (".lz4", LZ4, "lz4 -9"), (".lz", LZIP, "lzip -9")):
        name = f"bare-notes{ext.replace('.', '-')}.txt{ext}"
        save(name, compress(tool, notes))
        expect(name, [ent(name[: -len(ext)], notes)])
        NOTES[name] = (f"`{what}` of one text file, no archive: libarchive needs `support_format_raw`; the "
                       f"entry is named after the evidence minus `{ext}`.")
        CHECKS[name] = {"raw": notes}

    # pax with UTF-8 names (pax `path` records), one longer than the 100-byte ustar name field.
    utf = {
        "사진/서울_야경_2024.txt": "서울의 밤\n".encode(),
        "日本語/テスト.txt": "テスト\n".encode(),
        "café-ü-ñ.txt": "accents\n".encode(),
        "long/" + "가나다라마바사아자차카타파하" * 3 + ".txt": b"a name longer than 100 bytes\n",
    }
    ut = tmp / "utf"
    write_tree(ut, utf)
    um = sorted(({str(Path(k).parent) for k in utf} - {"."}) | set(utf))
    pax = gnu_tar(ut, um, fmt="pax")
    assert b"path=" in pax, "GNU tar did not write pax path records"
    save("fmt-pax-utf8.tar", pax)
    expect("fmt-pax-utf8.tar", [ent(m, utf[m]) if m in utf else dirent(m) for m in um])
    check("fmt-pax-utf8.tar", {m: utf.get(m) for m in um})
    NOTES["fmt-pax-utf8.tar"] = ("GNU tar `--format=pax` (deterministic PaxHeaders names, no atime/ctime) with "
                                 "Korean, Japanese and accented names and one >100-byte name.")

    # GNU sparse: a 1 MiB image with three 4 KiB data runs; variants old-GNU and pax 1.0 (trailing hole).
    sp = tmp / "sparse"
    if sp.exists():
        shutil.rmtree(sp)
    sp.mkdir()
    img = bytearray(1 << 20)
    runs = [(0, random_blob("sparse-a", 4096)), (300 * 1024, text_blob("sparse-b", 60)[:4096]),
            ((1 << 20) - 4096, random_blob("sparse-c", 4096))]
    for off, blob in runs:
        img[off:off + len(blob)] = blob
    f = sp / "disk.img"
    with open(f, "wb") as fh:
        fh.truncate(1 << 20)
        for off, blob in runs:
            fh.seek(off)
            fh.write(blob)
    tail = sp / "tail-hole.img"   # data at 0 and 64 KiB, then a hole to 2 MiB
    timg = bytearray(2 << 20)
    truns = [(0, random_blob("tail-a", 4096)), (64 * 1024, random_blob("tail-b", 4096))]
    with open(tail, "wb") as fh:
        fh.truncate(2 << 20)
        for off, blob in truns:
            fh.seek(off)
            fh.write(blob)
            timg[off:off + len(blob)] = blob
    for p in (f, tail, sp):
        os.utime(p, (EPOCH, EPOCH))
    g = gnu_tar(sp, ["disk.img", "tail-hole.img"], fmt="gnu", extra=["--sparse"])
    p1 = pin_sparse_names(gnu_tar(sp, ["disk.img", "tail-hole.img"], fmt="pax", extra=["--sparse", "--sparse-version=1.0"]))
    assert len(g) < 100_000 and len(p1) < 100_000, "filesystem did not keep the holes (tar --sparse found none)"
    save("fmt-sparse-gnu.tar", g)
    save("fmt-sparse-pax1.tar", p1)
    for name in ("fmt-sparse-gnu.tar", "fmt-sparse-pax1.tar"):
        expect(name, [ent("disk.img", bytes(img), flags=["sparse"]),
                      ent("tail-hole.img", bytes(timg), flags=["sparse"])])
        check(name, {"disk.img": bytes(img), "tail-hole.img": bytes(timg)})
    NOTES["fmt-sparse-gnu.tar"] = ("`tar --sparse --format=gnu` (old GNU sparse headers) of a 1 MiB image with "
                                   "three 4 KiB runs (one at the very end) and a 2 MiB image ending in a hole; "
                                   "hashes are of the zero-filled files.")
    NOTES["fmt-sparse-pax1.tar"] = "Same two images, `tar --sparse --format=pax --sparse-version=1.0`."


# --------------------------------------------------------------------------------------------
# RAR 4.x and RAR 5.0, STORED only, written from the public format notes (RARLAB technote.txt for
# 1.5-4.x; "RAR 5.0 archive format" on rarlab.com). No free RAR encoder exists; these prove the
# reader path. Acceptance: bsdtar lists the names and `bsdtar -xOf` returns the exact bytes
# (libarchive checks the header CRCs and the data CRC32).
# --------------------------------------------------------------------------------------------

RAR_FILES = [("docs", None), ("docs/notes.txt", text_blob("rar/docs/notes.txt", 30)),
             ("hello.txt", b"Hello from a stored RAR entry.\n")]


def rar4_block(head_type: int, flags: int, body: bytes) -> bytes:
    """HEAD_CRC(2) = low 16 bits of CRC32 over HEAD_TYPE..end of header; HEAD_SIZE includes all 7 bytes."""
    core = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(core) & 0xFFFF) + core


def make_rar4() -> bytes:
    out_b = bytearray(b"Rar!\x1a\x07\x00")                        # marker block
    out_b += rar4_block(0x73, 0x0000, struct.pack("<HI", 0, 0))   # archive header, 13 bytes
    t, d = dos_datetime(2024, 8, 28, 15, 12, 2)
    ftime = (d << 16) | t
    for name, data in RAR_FILES:
        nm = name.encode()
        is_dir = data is None
        payload = b"" if is_dir else data
        flags = 0x8000 | (0x00E0 if is_dir else 0x0000)          # LONG_BLOCK (+ directory dict bits)
        attr = 0o40755 if is_dir else 0o100644
        body = struct.pack("<IIBIIBBHI", len(payload), len(payload), 3,     # HOST_OS 3 = Unix
                           zlib.crc32(payload), ftime, 29, 0x30, len(nm), attr) + nm  # UNP_VER 2.9, METHOD 0x30 store
        out_b += rar4_block(0x74, flags, body) + payload
    out_b += rar4_block(0x7B, 0x4000, b"")                        # end of archive
    return bytes(out_b)


def vint(n: int) -> bytes:
    b = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            b.append(byte | 0x80)
        else:
            b.append(byte)
            return bytes(b)


def rar5_block(htype: int, fields: bytes, data_size: int | None = None, extra: bytes = b"") -> bytes:
    """CRC32 over (header size vint + header); header size counts from the type field to the end."""
    hflags = (0x0001 if extra else 0) | (0x0002 if data_size is not None else 0)
    body = vint(htype) + vint(hflags)
    if extra:
        body += vint(len(extra))
    if data_size is not None:
        body += vint(data_size)
    body += fields + extra
    size = vint(len(body))
    return struct.pack("<I", zlib.crc32(size + body)) + size + body


def make_rar5() -> bytes:
    out_b = bytearray(b"Rar!\x1a\x07\x01\x00")
    out_b += rar5_block(1, vint(0))                               # main archive header, no flags
    for name, data in RAR_FILES:
        nm = name.encode()
        if data is None:
            fields = (vint(0x0001 | 0x0002) + vint(0) + vint(0o40755) + struct.pack("<I", EPOCH)
                      + vint(0) + vint(1) + vint(len(nm)) + nm)
            out_b += rar5_block(2, fields, data_size=0)   # libarchive requires the data-area flag
        else:
            # file flags: 0x2 mtime (uint32 Unix), 0x4 CRC32; compression info 0 = version 0, store.
            fields = (vint(0x0002 | 0x0004) + vint(len(data)) + vint(0o100644) + struct.pack("<I", EPOCH)
                      + struct.pack("<I", zlib.crc32(data)) + vint(0) + vint(1) + vint(len(nm)) + nm)
            out_b += rar5_block(2, fields, data_size=len(data)) + data
    out_b += rar5_block(5, vint(0))                               # end of archive
    return bytes(out_b)


def make_rar() -> None:
    for name, fn, what in (("fmt-rar4-stored.rar", make_rar4, "RAR 1.5-4.x"), ("fmt-rar5-stored.rar", make_rar5, "RAR 5.0")):
        save(name, fn())
        expect(name, [ent(n, d) if d is not None else dirent(n) for n, d in RAR_FILES])
        check(name, dict(RAR_FILES))
        NOTES[name] = (f"Hand-written {what} archive (this script, from the public format notes): a directory and "
                       "two STORED files with header CRCs and data CRC32; read back with bsdtar.")


# --------------------------------------------------------------------------------------------
# nesting and detection by content
# --------------------------------------------------------------------------------------------

def make_nesting(tmp: Path) -> None:
    # level 3: tar.gz (GNU tar + gzip -n) of an app's files
    inner_files = {
        "Documents/note.txt": "장보기 목록: 우유, 계란\nshopping list\n".encode(),
        "Library/SMS/sms.txt": text_blob("Library/SMS/sms.txt", 25),
        "Media/DCIM/100APPLE/IMG_0001.bin": random_blob("IMG_0001", 2048),
    }
    st = tmp / "nest3"
    write_tree(st, inner_files)
    tgz = compress(GZIP, gnu_tar(st, list(inner_files)))
    # level 2: an iOS-backup-like zip (python zipfile, deflate)
    manifest = b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Version</key><string>10.0</string></dict></plist>\n'
    backup = zipfile_bytes([("Manifest.plist", manifest), ("Info.plist", b"<plist/>\n"), ("files/data.tar.gz", tgz)])
    # level 1: the case zip (Info-ZIP zip -X)
    notes = "Case 2024-TEST-0001: synthetic evidence, no real persons.\n".encode()
    st1 = tmp / "nest1"
    write_tree(st1, {"case-notes.txt": notes, "evidence/iPhone-backup.zip": backup})
    z = tmp / "nest.zip"
    run(["zip", "-q", "-X", "-D", str(z), "case-notes.txt", "evidence/iPhone-backup.zip"], cwd=st1)
    save("nest-3-levels.zip", z.read_bytes())
    b = "evidence/iPhone-backup.zip"
    t = b + "!/files/data.tar.gz"
    entries = [ent("case-notes.txt", notes), ent(b, backup),
               ent(b + "!/Manifest.plist", manifest), ent(b + "!/Info.plist", b"<plist/>\n"), ent(t, tgz)]
    entries += [ent(t + "!/" + k, v) for k, v in inner_files.items()]
    expect("nest-3-levels.zip", entries,
           note="Nested containers have their own row (sha256 of the container bytes) and children below.")
    check("nest-3-levels.zip", {"case-notes.txt": notes, b: backup})
    NOTES["nest-3-levels.zip"] = ("Info-ZIP case zip ⊃ python-zipfile iOS-backup-like zip ⊃ GNU tar + gzip -n "
                                  "tar.gz ⊃ 3 files (3 container levels below the evidence).")

    # a zip stored under a misleading name: detection must go by content, not by extension
    hidden = zipfile_bytes([("secret/plan.txt", b"meet at the usual place\n"), ("secret/list.csv", b"a,b\n1,2\n")])
    outer = zipfile_bytes([("readme.txt", b"nothing to see\n"), ("payload.bin", hidden)], method=zipfile.ZIP_STORED)
    save("nest-disguised-bin.zip", outer)
    expect("nest-disguised-bin.zip", [ent("readme.txt", b"nothing to see\n"), ent("payload.bin", hidden),
                                      ent("payload.bin!/secret/plan.txt", b"meet at the usual place\n"),
                                      ent("payload.bin!/secret/list.csv", b"a,b\n1,2\n")])
    check("nest-disguised-bin.zip", {"readme.txt": b"nothing to see\n", "payload.bin": hidden})
    NOTES["nest-disguised-bin.zip"] = "python zipfile: `payload.bin` is really a zip (detection by content)."

    # disguised tar.gz and a jpg-named 7z inside a tar
    st2 = tmp / "nest2"
    hidden7 = tmp / "h.7z"
    write_tree(st2, {"inside.txt": b"inside a 7z named .jpg\n"})
    run(["7z", "a", "-t7z", "-mtc=off", "-mta=off", str(hidden7), "inside.txt"], cwd=st2)
    h7 = hidden7.read_bytes()
    write_tree(st2, {"IMG_2024.jpg": h7, "real.txt": b"plain\n"})
    tar = gnu_tar(st2, ["IMG_2024.jpg", "real.txt"])
    save("nest-disguised-7z-in.tar", tar)
    expect("nest-disguised-7z-in.tar", [ent("IMG_2024.jpg", h7), ent("IMG_2024.jpg!/inside.txt", b"inside a 7z named .jpg\n"),
                                        ent("real.txt", b"plain\n")])
    check("nest-disguised-7z-in.tar", {"IMG_2024.jpg": h7, "real.txt": b"plain\n"})
    NOTES["nest-disguised-7z-in.tar"] = "GNU tar holding a 7z archive named `IMG_2024.jpg`."


# --------------------------------------------------------------------------------------------
# zip timestamps: extended timestamp 0x5455, NTFS 0x000a, bare DOS time
# --------------------------------------------------------------------------------------------

def ut_extra(mtime: int) -> bytes:
    return struct.pack("<HHBI", 0x5455, 5, 0x01, mtime)


def ntfs_extra(mtime_unix_us: int) -> bytes:
    """NTFS extra: reserved(4), tag 1 size 24, mtime/atime/ctime as FILETIME (100 ns since 1601)."""
    ft = (mtime_unix_us * 10) + 116444736000000000
    return struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 0x0001, 24, ft, ft, ft)


def make_times(tmp: Path) -> None:
    # Info-ZIP default: UT (0x5455, mtime+atime local / mtime central) and ux (0x7875 uid/gid).
    st = tmp / "times"
    body = b"Info-ZIP default extra fields\n"
    write_tree(st, {"infozip-ut.txt": body})
    z = tmp / "ut.zip"
    run(["zip", "-q", str(z), "infozip-ut.txt"], cwd=st)
    data = z.read_bytes()
    assert b"UT" in data, "Info-ZIP did not write 0x5455"
    save("times-zip-infozip-ut.zip", data)
    expect("times-zip-infozip-ut.zip", [ent("infozip-ut.txt", body, utc_basis="utc", mtime_utc="2024-08-28T06:12:03Z")])
    check("times-zip-infozip-ut.zip", {"infozip-ut.txt": body})
    NOTES["times-zip-infozip-ut.zip"] = ("Info-ZIP `zip` without -X (run with TZ=UTC): extended timestamp 0x5455 "
                                         "+ Unix uid/gid 0x7875. mtime is UTC 2024-08-28T06:12:03Z.")

    # crafted: three entries whose DOS field says 15:12:02 (a Seoul wall clock) and whose extras differ.
    dos = dos_datetime(2024, 8, 28, 15, 12, 2)
    ut_b, dos_b, nt_b = b"extended timestamp\n", b"only a DOS date-time\n", b"NTFS FILETIME\n"
    es = [ZEntry(b"ut-0x5455.txt", ut_b, dos=dos, extra_local=ut_extra(EPOCH)),
          ZEntry(b"dos-only.txt", dos_b, dos=dos, made_by=(0 << 8) | 20, external=0x20),
          ZEntry(b"ntfs-0x000a.txt", nt_b, dos=dos, made_by=(10 << 8) | 20, external=0x20,
                 extra_local=ntfs_extra(EPOCH * 1_000_000 + 123456))]
    save("times-zip-extras.zip", build_zip(es))
    expect("times-zip-extras.zip", [
        ent("ut-0x5455.txt", ut_b, utc_basis="utc", mtime_utc="2024-08-28T06:12:03Z"),
        ent("dos-only.txt", dos_b, utc_basis="unknown", mtime_dos="2024-08-28T15:12:02"),
        ent("ntfs-0x000a.txt", nt_b, utc_basis="utc", mtime_utc="2024-08-28T06:12:03.123456Z"),
    ], note="All three DOS fields hold 2024-08-28 15:12:02 (naive); the extras hold the true UTC instants.")
    check("times-zip-extras.zip", {"ut-0x5455.txt": ut_b, "dos-only.txt": dos_b, "ntfs-0x000a.txt": nt_b})
    NOTES["times-zip-extras.zip"] = ("Crafted (this script's zip writer): one entry with 0x5455 (mtime only), one "
                                     "with a bare DOS time (made by MS-DOS), one with NTFS 0x000a (mtime/atime/ctime "
                                     "FILETIME with a .123456 s fraction). DOS fields = 15:12:02 naive (Seoul wall clock).")


# --------------------------------------------------------------------------------------------
# hostile: names, links, duplicates, lying sizes
# --------------------------------------------------------------------------------------------

SLIP = [("../../etc/passwd", "etc/passwd", ["path-sanitized"]),
        ("/abs/path/evil.txt", "abs/path/evil.txt", ["path-sanitized", "absolute-path"]),
        ("C:\\win\\evil.txt", "win/evil.txt", ["path-sanitized", "absolute-path"]),
        ("a/./b/../../../c.txt", "a/b/c.txt", ["path-sanitized"]),
        ("ok.txt", "ok.txt", None)]


def make_names_links(tmp: Path) -> None:
    # zip slip in zip (python zipfile keeps names as given)
    files = [(raw, f"payload for {raw!r}\n".encode()) for raw, _, _ in SLIP]
    save("hostile-zipslip.zip", zipfile_bytes(files))
    es = [ent(clean, data, flags=fl) for (raw, clean, fl), (_, data) in zip(SLIP, files)]
    expect("hostile-zipslip.zip", es, note="Names are data: sanitized path + flags; nothing is ever written there.")
    # libarchive's zip reader turns '\\' into '/' for this ASCII name: bsdtar knows it as C:/win/evil.txt
    check("hostile-zipslip.zip", {raw.replace("\\", "/"): data for raw, data in files})
    NOTES["hostile-zipslip.zip"] = ("python zipfile with names `../../etc/passwd`, `/abs/path/evil.txt`, "
                                    "`C:\\win\\evil.txt`, `a/./b/../../../c.txt` and a normal `ok.txt`.")

    # the same names in a tar (python tarfile keeps names as given; GNU tar would strip them)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for raw, data in files:
            ti = tarfile.TarInfo(raw)
            ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = len(data), EPOCH, 0o644, "root", "root"
            tf.addfile(ti, io.BytesIO(data))
    save("hostile-tarslip.tar", bio.getvalue())
    expect("hostile-tarslip.tar", [dict(e) for e in es])
    check("hostile-tarslip.tar", dict(files))
    NOTES["hostile-tarslip.tar"] = "python tarfile (GNU format) with the same five names as hostile-zipslip.zip."

    # links in tar: symlink escapes, a file "through" a symlink, hardlink escapes, a benign hardlink
    bio = io.BytesIO()
    target = b"the real file\n"
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(name, typ, data=b"", link=""):
            ti = tarfile.TarInfo(name)
            ti.type, ti.linkname, ti.size, ti.mtime = typ, link, len(data), EPOCH
            ti.mode = 0o777 if typ == tarfile.SYMTYPE else 0o644
            ti.uname = ti.gname = "root"
            tf.addfile(ti, io.BytesIO(data) if data else None)
        add("real.txt", tarfile.REGTYPE, target)
        add("link-shadow", tarfile.SYMTYPE, link="/etc/shadow")
        add("link-up", tarfile.SYMTYPE, link="../../..")
        add("link-up/evil.txt", tarfile.REGTYPE, b"written through a symlink if followed\n")
        add("hard-passwd", tarfile.LNKTYPE, link="../../etc/passwd")
        add("hard-abs", tarfile.LNKTYPE, link="/etc/hostname")
        add("hard-real", tarfile.LNKTYPE, link="real.txt")
    save("hostile-links.tar", bio.getvalue())
    expect("hostile-links.tar", [
        ent("real.txt", target),
        ent("link-shadow", None, status="link", kind="symlink", link_target="/etc/shadow"),
        ent("link-up", None, status="link", kind="symlink", link_target="../../.."),
        ent("link-up/evil.txt", b"written through a symlink if followed\n"),
        ent("hard-passwd", None, status="link", kind="hardlink", link_target="../../etc/passwd"),
        ent("hard-abs", None, status="link", kind="hardlink", link_target="/etc/hostname"),
        ent("hard-real", None, status="link", kind="hardlink", link_target="real.txt"),
    ], note="Links are metadata only (status link, raw target kept); nothing is followed or resolved on disk.")
    check("hostile-links.tar", {"real.txt": target, "link-up/evil.txt": b"written through a symlink if followed\n"})
    NOTES["hostile-links.tar"] = ("python tarfile: symlinks to `/etc/shadow` and `../../..`, a regular file "
                                  "`link-up/evil.txt` under the symlink, hardlinks to `../../etc/passwd`, "
                                  "`/etc/hostname` and a benign one to `real.txt`.")

    # links in zip: Info-ZIP `zip -y` stores the symlinks themselves (mode 0120777, target as data)
    st = tmp / "zlinks"
    write_tree(st, {"real.txt": target})
    os.symlink("/etc/shadow", st / "link-shadow")
    os.symlink("../../..", st / "link-up")
    for p in ("link-shadow", "link-up"):
        os.utime(st / p, (EPOCH, EPOCH), follow_symlinks=False)
    z = tmp / "links.zip"
    run(["zip", "-q", "-X", "-y", str(z), "real.txt", "link-shadow", "link-up"], cwd=st)
    save("hostile-symlinks.zip", z.read_bytes())
    expect("hostile-symlinks.zip", [
        ent("real.txt", target),
        ent("link-shadow", None, status="link", kind="symlink", link_target="/etc/shadow"),
        ent("link-up", None, status="link", kind="symlink", link_target="../../.."),
    ])
    check("hostile-symlinks.zip", {"real.txt": target})
    NOTES["hostile-symlinks.zip"] = "Info-ZIP `zip -X -y` of real symlinks to `/etc/shadow` and `../../..`."

    # duplicate names: python zipfile (warns, writes both) and GNU tar append (-r)
    d1, d2 = b"first version\n", b"second version, different bytes\n"
    bio = io.BytesIO()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as zf:
            for data in (d1, b"other\n", d2):
                zi = zipfile.ZipInfo("same.txt" if data != b"other\n" else "other.txt", date_time=(2024, 8, 28, 15, 12, 2))
                zi.compress_type, zi.create_system, zi.external_attr = zipfile.ZIP_DEFLATED, 3, 0o100644 << 16
                zf.writestr(zi, data)
    save("hostile-dupnames.zip", bio.getvalue())
    dup = [ent("same.txt", d1), ent("other.txt", b"other\n"), ent("same.txt", d2, flags=["duplicate-name"])]
    expect("hostile-dupnames.zip", dup, note="Entries with one path are listed in archive order; the flag is required "
                                            "on every later occurrence (the first may carry it too).")
    NOTES["hostile-dupnames.zip"] = "python zipfile: `same.txt` twice (different content) around `other.txt`."
    CHECKS["hostile-dupnames.zip"] = {"members": {"other.txt": b"other\n"}, "list_ok": True, "names": None}

    st = tmp / "dup"
    write_tree(st, {"same.txt": d1, "other.txt": b"other\n"})
    t = tmp / "dup.tar"
    base = ["tar", "-C", str(st), "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", f"--mtime=@{EPOCH}"]
    run(base + ["-cf", str(t), "same.txt", "other.txt"])
    (st / "same.txt").write_bytes(d2)
    run(base + ["-rf", str(t), "same.txt"])
    save("hostile-dupnames.tar", t.read_bytes())
    expect("hostile-dupnames.tar", [dict(e) for e in dup])
    NOTES["hostile-dupnames.tar"] = "GNU tar `-cf` then `-rf` (append) of a changed `same.txt`."
    CHECKS["hostile-dupnames.tar"] = {"members": {"other.txt": b"other\n"}, "list_ok": True, "names": None}

    # declared sizes that lie (crafted zip writer)
    a, good2 = text_blob("size-lie a", 20), text_blob("size-lie c", 20)
    cd_lie = text_blob("size-lie cd", 30)
    both_d = text_blob("size-lie deflate", 30)
    both_s = text_blob("size-lie stored", 30)
    e_cd = ZEntry(b"cd-says-100.txt", cd_lie)
    e_cd.cd_sizes = (len(e_cd.comp), 100)
    e_bd = ZEntry(b"both-say-99999.txt", both_d)
    e_bd.cd_sizes = e_bd.local_sizes = (len(e_bd.comp), 99999)
    e_bs = ZEntry(b"stored-says-100.txt", both_s, method=0)
    e_bs.cd_sizes = e_bs.local_sizes = (100, 100)
    save("hostile-size-lie.zip", build_zip([ZEntry(b"a.txt", a), e_cd, e_bd, e_bs, ZEntry(b"c.txt", good2)]))
    expect("hostile-size-lie.zip", [
        ent("a.txt", a),
        ent("cd-says-100.txt", cd_lie, flags=["size-mismatch"], declared_size=100,
            note="local header true, CD lies: libarchive warns 'Inconsistent uncompressed size' and reads all "
                 "bytes (CRC ok); size is the bytes read"),
        ent("both-say-99999.txt", None, status="corrupt", flags=["size-mismatch"], declared_size=99999,
            note="deflate stream ends early: 'ZIP uncompressed data is wrong size (read N, expected 99999)'"),
        ent("stored-says-100.txt", None, status="corrupt", declared_size=100,
            note="stored, both headers say 100: libarchive reads 100 bytes then 'ZIP bad CRC'"),
        ent("c.txt", good2),
    ], status="corrupt")
    check("hostile-size-lie.zip", {"a.txt": a, "c.txt": good2}, list_ok=False)   # the CD/local warning sets rc=1
    NOTES["hostile-size-lie.zip"] = ("Crafted zip: an entry whose central-directory uncompressed size (100) "
                                     "contradicts its local header; a deflated entry whose both headers claim 99,999 "
                                     "bytes; a stored entry whose headers claim 100 of its 1,5xx bytes; good "
                                     "entries before and after.")

    # local-header name differs from the central-directory name; EOCD counts that lie
    a_b, b_b, c_b = b"alpha\n" * 50, b"MZ pretend executable\n" * 20, b"charlie\n" * 30
    save("hostile-name-mismatch.zip", build_zip([ZEntry(b"a.txt", a_b),
                                                  ZEntry(b"invoice.pdf.exe", b_b, cd_name=b"invoice.pdf"),
                                                  ZEntry(b"c.txt", c_b)]))
    expect("hostile-name-mismatch.zip", [
        ent("a.txt", a_b),
        ent("invoice.pdf.exe", b_b, flags=["name-mismatch"], cd_name="invoice.pdf", local_name="invoice.pdf.exe",
            note="libarchive 3.6.2 (seekable) reports the LOCAL name; the central directory says invoice.pdf"),
        ent("c.txt", c_b),
    ], flags=["name-mismatch"])
    check("hostile-name-mismatch.zip", {"a.txt": a_b, "invoice.pdf.exe": b_b, "c.txt": c_b})
    NOTES["hostile-name-mismatch.zip"] = ("Crafted zip: entry 2 is `invoice.pdf` in the central directory and "
                                          "`invoice.pdf.exe` in its local header.")
    three = [ZEntry(b"a.txt", a_b), ZEntry(b"b.txt", b_b), ZEntry(b"c.txt", c_b)]
    for name, n in (("hostile-eocd-count-high.zip", 5), ("hostile-eocd-count-low.zip", 2)):
        save(name, build_zip([ZEntry(e.name, e.data) for e in three], eocd_count=n))
        expect(name, [ent("a.txt", a_b), ent("b.txt", b_b), ent("c.txt", c_b)], flags=["cd-count-mismatch"],
               note=f"EOCD says {n} entries, the central directory holds 3; libarchive reads all 3.")
        check(name, {"a.txt": a_b, "b.txt": b_b, "c.txt": c_b})
        NOTES[name] = f"Crafted zip with 3 entries whose end-of-central-directory record claims {n}."


# --------------------------------------------------------------------------------------------
# hostile: damage (truncation, bit flips)
# --------------------------------------------------------------------------------------------

DAMAGE_FILES = [("part1.txt", text_blob("damage part1", 60)), ("part2.bin", random_blob("damage part2", 6000)),
                ("part3.txt", text_blob("damage part3", 60)), ("part4.bin", random_blob("damage part4", 6000))]


def make_damage(tmp: Path) -> None:
    st = tmp / "damage"
    write_tree(st, dict(DAMAGE_FILES))
    names = [n for n, _ in DAMAGE_FILES]
    ref = dict(DAMAGE_FILES)

    # zip cut inside part3's data: no central directory left, the streaming reader takes over.
    z = tmp / "d.zip"
    run(["zip", "-q", "-X", "-9", str(z)] + names, cwd=st)
    full = z.read_bytes()
    with zipfile.ZipFile(io.BytesIO(full)) as zf:
        i3 = zf.getinfo("part3.txt")
        cut = i3.header_offset + 30 + len("part3.txt") + i3.compress_size // 2
    save("hostile-truncated.zip", full[:cut])
    expect("hostile-truncated.zip", [ent("part1.txt", ref["part1.txt"]), ent("part2.bin", ref["part2.bin"]),
                                     ent("part3.txt", None, status_any=["truncated", "corrupt"])],
           status=["truncated", "corrupt"], exact=False,
           note="Cut in the middle of part3's deflate data: no central directory, so only local headers can be "
                "read; part1 and part2 must be kept with their hashes; part4 does not exist any more.")
    CHECKS["hostile-truncated.zip"] = {"members": {"part1.txt": ref["part1.txt"], "part2.bin": ref["part2.bin"]},
                                       "list_ok": False, "names": None}
    NOTES["hostile-truncated.zip"] = "Info-ZIP zip of 4 files, cut in the middle of the 3rd entry's data."

    # tar.gz cut in the middle. libarchive's format bidders read up to ~48 KiB of decoded data ahead
    # (iso9660 looks past its 32 KiB system area), so a gzip stream that ends before that fails at
    # open ("truncated gzip input"): two fixtures, one cut late (entries before the cut survive) and
    # one cut early (nothing readable, the container alone is recorded).
    big = [("part1.txt", text_blob("tgz part1", 900)), ("part2.bin", random_blob("tgz part2", 40000)),
           ("part3.txt", b"# tgz part3\n" + b"repetitive filler so the cut can land 150 KB into part3\n" * 4000),
           ("part4.bin", random_blob("tgz part4", 6000))]
    stb = tmp / "damage-big"
    write_tree(stb, dict(big))
    bigref = dict(big)
    tarb = gnu_tar(stb, [n for n, _ in big])
    tgz = compress(GZIP, tarb)
    off3 = tarb.index(b"# tgz part3")
    lo, hi = 0, len(tgz)
    while lo < hi:                       # smallest prefix that decodes 150 KB into part3's data
        mid = (lo + hi) // 2
        d = zlib.decompressobj(31).decompress(tgz[:mid])
        if len(d) > off3 + 150_000:
            hi = mid
        else:
            lo = mid + 1
    assert off3 > 70000
    save("hostile-truncated.tar.gz", tgz[:lo])
    expect("hostile-truncated.tar.gz", [ent("part1.txt", bigref["part1.txt"]), ent("part2.bin", bigref["part2.bin"]),
                                        ent("part3.txt", None, status_any=["truncated", "corrupt"])],
           status=["truncated", "corrupt"],
           note="The gzip stream is cut so that it decodes 150 KB into part3's 216 KB (libarchive's gzip filter "
                "drops the last partial output block, so the cut must sit well past part2's end).")
    CHECKS["hostile-truncated.tar.gz"] = {"members": {"part1.txt": bigref["part1.txt"], "part2.bin": bigref["part2.bin"]},
                                          "list_ok": False, "names": None}
    NOTES["hostile-truncated.tar.gz"] = ("GNU tar + gzip -n of 4 files (~320 KiB), gzip stream cut 150 KB into the "
                                         "3rd member's data.")
    save("hostile-truncated-early.tar.gz", tgz[: len(tgz) // 4])
    expect("hostile-truncated-early.tar.gz", [], status=["truncated", "corrupt"], exact=False,
           note="Cut to a quarter: the decoded stream ends inside libarchive's bidding look-ahead, so "
                "archive_read_open fails with 'truncated gzip input'; the container row must still be recorded.")
    CHECKS["hostile-truncated-early.tar.gz"] = {"members": {}, "list_ok": False, "names": None}
    NOTES["hostile-truncated-early.tar.gz"] = "The same tar.gz cut to a quarter of its length (fails at open)."

    # 7z cut in half: the header sits at the end, so nothing can be listed.
    z7 = tmp / "d.7z"
    run(["7z", "a", "-t7z", "-mtc=off", "-mta=off", str(z7)] + names, cwd=st)
    b7 = z7.read_bytes()
    save("hostile-truncated.7z", b7[: len(b7) // 2])
    expect("hostile-truncated.7z", [], status=["truncated", "corrupt"],
           note="7z keeps its header at the end: a half file has no readable entry.")
    CHECKS["hostile-truncated.7z"] = {"members": {}, "list_ok": False, "names": []}
    NOTES["hostile-truncated.7z"] = "7z of the same 4 files cut to half its length."

    # bit flips
    stored = zipfile_bytes(DAMAGE_FILES, method=zipfile.ZIP_STORED)
    b = bytearray(stored)
    with zipfile.ZipFile(io.BytesIO(stored)) as zf:
        i2 = zf.getinfo("part2.bin")
        p = i2.header_offset + 30 + len("part2.bin") + 3000
    b[p] ^= 0x01
    save("hostile-bitflip-stored.zip", bytes(b))
    flipped_ok = [ent("part1.txt", ref["part1.txt"]), ent("part2.bin", None, status="corrupt"),
                  ent("part3.txt", ref["part3.txt"]), ent("part4.bin", ref["part4.bin"])]
    expect("hostile-bitflip-stored.zip", flipped_ok, status="corrupt",
           note="One bit flipped in part2's stored data: CRC mismatch on part2 only.")
    CHECKS["hostile-bitflip-stored.zip"] = {"members": {k: ref[k] for k in ("part1.txt", "part3.txt", "part4.bin")},
                                            "list_ok": True, "names": names, "bad": ["part2.bin"]}
    NOTES["hostile-bitflip-stored.zip"] = "python zipfile (stored) of 4 files, one bit flipped in the 2nd entry's data."

    deflated = zipfile_bytes(DAMAGE_FILES)
    b = bytearray(deflated)
    with zipfile.ZipFile(io.BytesIO(deflated)) as zf:
        i3 = zf.getinfo("part3.txt")
        p = i3.header_offset + 30 + len("part3.txt") + i3.compress_size // 2
    b[p] ^= 0xFF
    save("hostile-bitflip-deflate.zip", bytes(b))
    expect("hostile-bitflip-deflate.zip", [ent("part1.txt", ref["part1.txt"]), ent("part2.bin", ref["part2.bin"]),
                                           ent("part3.txt", None, status="corrupt"), ent("part4.bin", ref["part4.bin"])],
           status="corrupt", note="A byte inverted in the middle of part3's deflate data (bad code or CRC mismatch).")
    CHECKS["hostile-bitflip-deflate.zip"] = {"members": {k: ref[k] for k in ("part1.txt", "part2.bin", "part4.bin")},
                                             "list_ok": True, "names": names, "bad": ["part3.txt"]}
    NOTES["hostile-bitflip-deflate.zip"] = "python zipfile (deflate) of 4 files, one byte of the 3rd entry's data inverted."

    tar = gnu_tar(st, names)
    b = bytearray(tar)
    hdr2 = tar.index(b"part2.bin\x00")      # name field of the 2nd header
    b[hdr2 + 124 + 2] ^= 0x04                # a digit of the octal size field: checksum no longer matches
    save("hostile-bitflip-header.tar", bytes(b))
    expect("hostile-bitflip-header.tar", [ent("part1.txt", ref["part1.txt"]), ent("part3.txt", ref["part3.txt"]),
                                          ent("part4.bin", ref["part4.bin"])],
           status="corrupt", exact=False,
           note="Header 2's size field is damaged (checksum mismatch): archive_read_next_header returns "
                "ARCHIVE_RETRY 'Damaged tar archive' once per 512-byte block of part2's data, then finds part3 "
                "and part4. Keep calling next_header on ARCHIVE_RETRY; part2 is lost (its header is the damage).")
    CHECKS["hostile-bitflip-header.tar"] = {"members": {k: ref[k] for k in ("part1.txt", "part3.txt", "part4.bin")},
                                            "list_ok": True, "names": None}
    NOTES["hostile-bitflip-header.tar"] = "GNU tar of 4 files with one bit flipped in the 2nd header's size field."


# --------------------------------------------------------------------------------------------
# bombs (after David Fifield, "A better zip bomb", WOOT 2019 — own implementation)
# --------------------------------------------------------------------------------------------

MiB = 1 << 20
BOMB_N = 20
ZEROS_1M = bytes(MiB)


def raw_deflate(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def make_bombs(tmp: Path) -> None:
    kernel = raw_deflate(ZEROS_1M)                    # one final deflate block sequence -> 1 MiB of zeros
    kcrc = zlib.crc32(ZEROS_1M)
    names = [f"{i:02d}.bin".encode() for i in range(BOMB_N)]
    overlap_budgets = {"max_total_bytes": 3 * MiB + MiB // 2, "max_entry_bytes": 2 * MiB, "max_ratio": 1_000_000,
                       "max_depth": 4, "max_entries_per_archive": 1000}

    # full overlap: one local file (00.bin + kernel); 20 central-directory records all point at it.
    lfh = ZEntry(names[0], ZEROS_1M, comp=kernel, crc=kcrc)
    buf = bytearray(lfh.local_header() + kernel)
    cd = bytearray()
    for nm in names:
        e = ZEntry(nm, ZEROS_1M, comp=kernel, crc=kcrc)
        e.offset = 0
        cd += e.cd_header()
    data = bytes(buf + cd + eocd(BOMB_N, len(cd), len(buf)))
    save("bomb-overlap-full.zip", data)
    hidden = [ent(nm.decode(), None, status="limit-exceeded", size=0,
                  flags=["overlapping-entry", "shared-local-header"]) for nm in names[1:]]
    expect("bomb-overlap-full.zip", [ent("00.bin", ZEROS_1M, flags=["overlapping-entry"])] + hidden,
           status="limit-exceeded", flags=["overlapping-entries"], budgets=overlap_budgets, entry_count=BOMB_N,
           note=f"{len(data)} bytes; {BOMB_N} central-directory records (00.bin..19.bin) share one local file. "
                "libarchive 3.6.2 keys seekable-zip entries by local-header offset, so it delivers ONE entry "
                "(00.bin, 1 MiB) and the bomb is defused by the reader; the overlap is only visible by parsing "
                "the central directory (20 records, 1 offset): flag overlapping-entry on that entry, and one "
                "limit-exceeded row (flag shared-local-header, nothing read) for each of the other 19 names, so "
                "the listing says that 19 names were not read (issue 19).")
    CHECKS["bomb-overlap-full.zip"] = {"members": {"00.bin": ZEROS_1M}, "list_ok": True, "names": ["00.bin"]}
    NOTES["bomb-overlap-full.zip"] = (f"Crafted: one local file holding a 1 MiB-of-zeros deflate kernel; {BOMB_N} "
                                      "central-directory records (00.bin..19.bin) all point at it (full overlap).")

    # quoted overlap: LFH_i, then a non-final stored block quoting LFH_{i+1}, ..., then the kernel.
    # File i's deflate stream = [quote LFH_{i+1}] [quote LFH_{i+2}] ... kernel, so it inflates to
    # LFH_{i+1} + ... + LFH_{n-1} + 1 MiB of zeros; every file's data overlaps the next file.
    lfhs: list[bytes] = [b""] * BOMB_N
    outs: list[bytes] = [b""] * BOMB_N   # reference inflated content per file
    comps: list[int] = [0] * BOMB_N
    crcs = [0] * BOMB_N
    tail_plain = b""                     # LFH_{i+1}..LFH_{n-1}
    for i in range(BOMB_N - 1, -1, -1):
        usize = len(tail_plain) + MiB
        csize = sum(5 + len(lfhs[j]) for j in range(i + 1, BOMB_N)) + len(kernel)
        crc = zlib.crc32(ZEROS_1M, zlib.crc32(tail_plain))
        e = ZEntry(names[i], b"", comp=b"", crc=crc, local_sizes=(csize, usize), cd_sizes=(csize, usize))
        lfhs[i], comps[i], crcs[i] = e.local_header(), csize, crc
        outs[i] = tail_plain + ZEROS_1M
        tail_plain = lfhs[i] + tail_plain
    body = bytearray()
    offsets = []
    for i in range(BOMB_N):
        offsets.append(len(body))
        body += lfhs[i]
        if i + 1 < BOMB_N:
            q = len(lfhs[i + 1])
            body += bytes([0x00]) + struct.pack("<HH", q, q ^ 0xFFFF)   # BFINAL=0, BTYPE=00 (stored)
    body += kernel
    cd = bytearray()
    for i in range(BOMB_N):
        e = ZEntry(names[i], b"", comp=b"", crc=crcs[i], cd_sizes=(comps[i], len(outs[i])))
        e.offset = offsets[i]
        cd += e.cd_header()
    data = bytes(body + cd + eocd(BOMB_N, len(cd), len(body)))
    for i in range(BOMB_N):                                   # self-check with zlib
        s = offsets[i] + len(lfhs[i])
        assert zlib.decompressobj(-15).decompress(data[s:s + comps[i]]) == outs[i]
    save("bomb-overlap-quoted.zip", data)
    expect("bomb-overlap-quoted.zip", [
        ent("00.bin", outs[0]),
        ent("19.bin", None, status="limit-exceeded", flags=["overlapping-entry"]),
    ], status="corrupt", exact=False, budgets=overlap_budgets, entry_count=BOMB_N,
        note=f"{len(data)} bytes expanding to ~{BOMB_N} MiB. Names match between headers; each entry's compressed "
             "range contains the next entry's local header. With 3.5 MiB total, entries 1-3 fit. 00.bin begins with "
             "the next local header, so it is opened as a nested zip, which is corrupt: the worst direct entry "
             "makes the container corrupt (ranked above limit-exceeded).")
    CHECKS["bomb-overlap-quoted.zip"] = {"members": {"00.bin": outs[0], "19.bin": outs[19]}, "list_ok": True,
                                         "names": [n.decode() for n in names]}
    NOTES["bomb-overlap-quoted.zip"] = (f"Crafted quoted-overlap bomb: {BOMB_N} entries; entry i's deflate stream "
                                        "quotes the following local headers in stored blocks and ends in a shared "
                                        "1 MiB-of-zeros kernel.")

    # 42.zip-style nesting: 8 x 8 x 8 zips of 8 leaves of 1 MiB zeros (4 GiB in total), python zipfile.
    leaf = ZEROS_1M
    d3 = zipfile_bytes([(f"leaf-{k}.bin", leaf) for k in range(8)])
    d2 = zipfile_bytes([(f"d3-{k}.zip", d3) for k in range(8)])
    d1 = zipfile_bytes([(f"d2-{k}.zip", d2) for k in range(8)])
    top = zipfile_bytes([(f"d1-{k}.zip", d1) for k in range(8)])
    save("bomb-nested-42.zip", top)
    es = []
    for i in range(8):
        p1 = f"d1-{i}.zip"
        es.append(ent(p1, d1, status_any=["ok", "limit-exceeded"]))
        for j in range(8):
            p2 = f"{p1}!/d2-{j}.zip"
            es.append(ent(p2, d2, status_any=["ok", "limit-exceeded"]))
            for k in range(8):
                es.append(ent(f"{p2}!/d3-{k}.zip", d3, status="limit-exceeded"))
    expect("bomb-nested-42.zip", es, status=["ok", "limit-exceeded"],
           budgets={"max_depth": 3, "max_total_bytes": 64 * MiB, "max_ratio": 1_000_000, "max_entry_bytes": 2 * MiB,
                    "max_entries_per_archive": 1000},
           note=f"{len(top)} bytes; 4 zip levels, 4,096 leaves of 1 MiB = 4 GiB. max_depth 3 = the evidence plus two "
                "nested levels are opened; the d3 zips are hashed (sha256 given) but not opened: limit-exceeded, "
                "and no leaf-*.bin row may exist. d1/d2 rows may be ok or carry limit-exceeded upward.")
    CHECKS["bomb-nested-42.zip"] = {"members": {"d1-0.zip": d1}, "list_ok": True, "names": [f"d1-{k}.zip" for k in range(8)]}
    NOTES["bomb-nested-42.zip"] = ("42.zip-style: python zipfile, 8 zips of 8 zips of 8 zips of 8 × 1 MiB zeros "
                                   f"({len(top)} bytes on disk, 4 GiB expanded).")

    # single-entry high ratio: 64 MiB of zeros deflated (~1030:1), and a bare bzip2 of 256 MiB zeros.
    z64m = bytes(64 * MiB)
    zb = zipfile_bytes([("zeros.bin", z64m)])
    save("bomb-ratio.zip", zb)
    ratio_budgets = {"max_ratio": 100, "ratio_floor_bytes": MiB}
    expect("bomb-ratio.zip", [ent("zeros.bin", None, status="limit-exceeded", declared_size=64 * MiB)],
           status="limit-exceeded", budgets=ratio_budgets,
           note=f"{len(zb)} bytes -> 64 MiB (ratio ~1030). With max_ratio 100 past a 1 MiB floor the entry stops early.")
    CHECKS["bomb-ratio.zip"] = {"members": {}, "list_ok": True, "names": ["zeros.bin"]}
    NOTES["bomb-ratio.zip"] = "python zipfile (deflate -9) of one 64 MiB file of zeros."
    if True:   # stream 256 MiB of zeros into bzip2 without holding them in memory
        p = subprocess.Popen(BZIP2, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV)
        chunk = bytes(16 * MiB)
        import threading
        res: list[bytes] = []
        th = threading.Thread(target=lambda: res.append(p.stdout.read()))
        th.start()
        for _ in range(16):
            p.stdin.write(chunk)
        p.stdin.close()
        th.join()
        p.wait()
        save("bomb-ratio-bare.bz2", res[0])
    expect("bomb-ratio-bare.bz2", [ent("bomb-ratio-bare", None, status="limit-exceeded")],
           status="limit-exceeded", budgets=ratio_budgets,
           note="bzip2 of 256 MiB of zeros: a few hundred bytes (ratio > 1,000,000). Bare file read via the raw format.")
    NOTES["bomb-ratio-bare.bz2"] = "`bzip2 -9` of 256 MiB of zeros, no archive (raw format)."

    # many entries: 5,000 tiny files in a tar.gz (the 200,000-entry case is generated by the tests)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for i in range(5000):
            d = f"entry {i}\n".encode()
            ti = tarfile.TarInfo(f"many/{i // 100:02d}/{i:05d}.txt")
            ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = len(d), EPOCH, 0o644, "root", "root"
            tf.addfile(ti, io.BytesIO(d))
    tgz = compress(GZIP, bio.getvalue())
    save("many-entries-5000.tar.gz", tgz)
    picks = [0, 1, 2499, 4999]
    expect("many-entries-5000.tar.gz",
           [ent(f"many/{i // 100:02d}/{i:05d}.txt", f"entry {i}\n".encode()) for i in picks],
           exact=False, entry_count=5000,
           note="5,000 regular files, no directory entries; content of entry i is 'entry i\\n'.")
    CHECKS["many-entries-5000.tar.gz"] = {"members": {"many/49/04999.txt": b"entry 4999\n"}, "list_ok": True,
                                          "count": 5000}
    NOTES["many-entries-5000.tar.gz"] = "python tarfile (ustar) of 5,000 tiny files under many/NN/, gzip -n -9."


# --------------------------------------------------------------------------------------------
# encryption (password "pass"); salted by the encoders, so kept unless --force-random
# --------------------------------------------------------------------------------------------

ENC_FILES = {"secret/plan.txt": b"the plan is in another castle\n", "secret/photo.bin": random_blob("enc photo", 4000)}


def make_encrypted(tmp: Path) -> None:
    st = tmp / "enc"
    write_tree(st, ENC_FILES)
    members = list(ENC_FILES)
    specs = [
        ("enc-zipcrypto.zip", ["zip", "-q", "-X", "-P", "pass"], "Info-ZIP `zip -X -P pass` (traditional PKWARE ZipCrypto)."),
        ("enc-aes256.zip", ["7z", "a", "-tzip", "-mem=AES256", "-ppass", "-mtc=off"], "`7z a -tzip -mem=AES256 -ppass` (WinZip AES, extra 0x9901)."),
        ("enc-data.7z", ["7z", "a", "-t7z", "-ppass", "-mtc=off", "-mta=off"], "`7z a -t7z -ppass` (AES-256 data, names visible)."),
        ("enc-headers.7z", ["7z", "a", "-t7z", "-ppass", "-mhe=on", "-mtc=off", "-mta=off"], "`7z a -t7z -ppass -mhe=on` (encrypted headers: no names without the password)."),
    ]
    for name, cmd, what in specs:
        if not keep_random(name):
            z = tmp / name
            if z.exists():
                z.unlink()
            if cmd[0] == "zip":
                run(cmd + [str(z)] + members, cwd=st)
            else:
                run(cmd + [str(z)] + members, cwd=st)
            save(name, z.read_bytes())
        NOTES[name] = what + " Password `pass`; salt/IV random, so the file is kept unless --force-random."
    for name in ("enc-zipcrypto.zip", "enc-aes256.zip", "enc-data.7z"):
        expect(name, [ent(k, None, status="encrypted", declared_size=len(v)) for k, v in ENC_FILES.items()],
               status="encrypted", password="pass",
               plain_sha256={k: sha(v) for k, v in ENC_FILES.items()},
               note="Names and sizes are readable, data is not: status encrypted, never an empty hash.")
        CHECKS[name] = {"members": {}, "list_ok": True, "names": None, "encrypted": members}
    expect("enc-headers.7z", [], status="encrypted", password="pass",
           plain_sha256={k: sha(v) for k, v in ENC_FILES.items()},
           note="archive_read_next_header fails at the first call ('The archive header is encrypted…'): no entry "
                "rows, the container is encrypted.")
    CHECKS["enc-headers.7z"] = {"members": {}, "list_ok": False, "names": []}


# --------------------------------------------------------------------------------------------
# legacy name encodings (flag bit 11 clear), junk, empty
# --------------------------------------------------------------------------------------------

CP949_NAMES = ["사진/가족여행_2024.txt", "문서/똠방각하.txt", "한글 파일명.txt"]   # 똠 is CP949-only (not EUC-KR)
SJIS_NAMES = ["写真/東京タワー.txt", "ソフト表.txt", "ﾃｽﾄ.txt"]  # ソ/表 end in byte 0x5C ('\\')


def iconv_ok(raw: bytes, charset: str) -> str | None:
    p = subprocess.run(["iconv", "-f", charset, "-t", "UTF-8"], input=raw, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return p.stdout.decode() if p.returncode == 0 else None


def legacy_zip(names: list[str], codec: str) -> tuple[bytes, list[tuple[str, bytes, bytes]]]:
    """Raw legacy bytes as names, general-purpose flag bit 11 clear, made by MS-DOS (as Windows tools do)."""
    items = []
    es = []
    for i, n in enumerate(names):
        raw = n.encode(codec)
        data = f"file {i}: {n}\n".encode("utf-8")
        items.append((n, raw, data))
        es.append(ZEntry(raw, data, made_by=(0 << 8) | 20, external=0x20))
    return build_zip(es), items


def make_charsets(tmp: Path) -> None:
    data, items = legacy_zip(CP949_NAMES, "cp949")
    for n, raw, _ in items:
        assert iconv_ok(raw, "CP949") == n, f"glibc iconv disagrees on {n}"
        try:
            raw.decode("utf-8")
            raise AssertionError("CP949 name is valid UTF-8")
        except UnicodeDecodeError:
            pass
    # 똠 (0x8C63) is outside EUC-KR; glibc's EUC-KR decoder does not fail on it but yields U+008C 'c'.
    assert iconv_ok("똠".encode("cp949"), "EUC-KR") != "똠"
    save("names-cp949.zip", data)
    expect("names-cp949.zip", [ent(n, d, encoding="CP949", raw_name_hex=raw.hex()) for n, raw, d in items])
    CHECKS["names-cp949.zip"] = {"members": {}, "list_ok": True, "names": None}
    NOTES["names-cp949.zip"] = ("Crafted zip, names as raw CP949 bytes with flag bit 11 clear (as Korean Windows "
                                "tools write them); `똠` exists in CP949 (UHC) but not in EUC-KR.")

    data, items = legacy_zip(SJIS_NAMES, "shift_jis")
    for n, raw, _ in items:
        assert iconv_ok(raw, "SHIFT_JIS") == n, f"glibc iconv disagrees on {n}"
        assert iconv_ok(raw, "CP949") is None, f"{n} must not decode as CP949 (order CP949,SHIFT_JIS)"
    save("names-shift-jis.zip", data)
    expect("names-shift-jis.zip", [ent(n, d, encoding="SHIFT_JIS", raw_name_hex=raw.hex()) for n, raw, d in items],
           note="Each name is invalid CP949 (a 0x5C/0x5B trail byte or half-width katakana run), so the ordered "
                "CP949,SHIFT_JIS attempt lands on Shift-JIS. 'ソフト表.txt' holds 0x5C bytes: converting '\\\\' "
                "to '/' before decoding would split it into folders.")
    CHECKS["names-shift-jis.zip"] = {"members": {}, "list_ok": True, "names": None}
    NOTES["names-shift-jis.zip"] = ("Crafted zip, raw Shift-JIS names, flag bit 11 clear; `ソフト表.txt` has "
                                    "0x5C ('\\\\') trail bytes, `ﾃｽﾄ.txt` an odd run of half-width katakana.")

    # junk, a PK-prefixed junk file, an empty zip, a zero-byte file
    junk = random_blob("junk", 4096)
    assert not junk.startswith(b"PK")
    save("junk-random.zip", junk)
    expect("junk-random.zip", [], status=["ok", "unsupported"],
           note="4 KiB of seeded random bytes named .zip: no archive format matches (libarchive: Unrecognized "
                "archive format). Recorded as a plain file with its hashes; no entries.")
    CHECKS["junk-random.zip"] = {"members": {}, "list_ok": False, "names": []}
    NOTES["junk-random.zip"] = "4 KiB of random bytes (seeded) with a .zip name."
    pk = b"PK\x03\x04" + random_blob("junk-pk", 2044)
    save("junk-pk-header.zip", pk)
    expect("junk-pk-header.zip", [], status=["corrupt", "truncated"], exact=False,
           note="Starts with a local-file-header signature, then garbage: libarchive's streaming zip reader "
                "claims it and fails.")
    CHECKS["junk-pk-header.zip"] = {"members": {}, "list_ok": False, "names": None}
    NOTES["junk-pk-header.zip"] = "`PK\\x03\\x04` followed by 2 KiB of random bytes."
    save("empty.zip", zipfile_bytes([]))
    expect("empty.zip", [], note="22-byte end-of-central-directory record only.")
    CHECKS["empty.zip"] = {"members": {}, "list_ok": True, "names": []}
    NOTES["empty.zip"] = "python zipfile with no entries (22 bytes)."
    save("zero-byte.zip", b"")
    expect("zero-byte.zip", [], status=["ok", "unsupported"],
           note="0 bytes: libarchive's 'empty' format reads it as an archive with no entries.")
    CHECKS["zero-byte.zip"] = {"members": {}, "list_ok": True, "names": []}
    NOTES["zero-byte.zip"] = "A zero-byte file named .zip."


# --------------------------------------------------------------------------------------------
# verification against libarchive (bsdtar 3.6.2) and expected.json
# --------------------------------------------------------------------------------------------

def bsdtar(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bsdtar"] + args, input=stdin, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def bsdtar_member(container: Path, member: str, strict: bool = False) -> bytes | None:
    """stdout of `bsdtar -xOf container member` (None if nothing came out, or on failure when strict).
    bsdtar's exit status also reflects damage elsewhere in the archive, so by default the bytes
    are judged, not the status. Names are fnmatch patterns to bsdtar: glob characters are escaped."""
    pat = "".join("\\" + c if c in "*?[]\\" else c for c in member)
    p = bsdtar(["-xOf", str(container), pat])
    if strict and p.returncode != 0:
        return None
    return p.stdout if (p.stdout or p.returncode == 0) else None


def raw_read_libarchive(path: Path) -> bytes | None:
    """Reads a bare compressed file through libarchive's raw format (bsdtar cannot: it never enables it)."""
    import ctypes
    import ctypes.util
    lib = ctypes.util.find_library("archive")
    if not lib:
        return None
    la = ctypes.CDLL(lib)
    la.archive_read_new.restype = ctypes.c_void_p
    for f in ("archive_read_support_filter_all", "archive_read_support_format_raw", "archive_read_free"):
        getattr(la, f).argtypes = [ctypes.c_void_p]
    la.archive_read_open_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    la.archive_read_next_header.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    la.archive_read_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    la.archive_read_data.restype = ctypes.c_ssize_t
    a = la.archive_read_new()
    la.archive_read_support_filter_all(a)
    la.archive_read_support_format_raw(a)
    try:
        if la.archive_read_open_filename(a, str(path).encode(), 65536) != 0:
            return None
        e = ctypes.c_void_p()
        if la.archive_read_next_header(a, ctypes.byref(e)) != 0:
            return None
        buf = ctypes.create_string_buffer(65536)
        out_b = bytearray()
        while True:
            n = la.archive_read_data(a, buf, 65536)
            if n < 0:
                return None
            if n == 0:
                return bytes(out_b)
            out_b += buf.raw[:n]
    finally:
        la.archive_read_free(a)


def nested_bytes(fixture: Path, path: str, tmp: Path) -> bytes | None:
    """Bytes of `a!/b!/c` by extracting level by level with bsdtar (the reference extraction)."""
    cur = fixture
    parts = path.split("!/")
    for i, part in enumerate(parts):
        b = bsdtar_member(cur, part)
        if b is None or i == len(parts) - 1:
            return b
        cur = tmp / f"nested-{i}"
        cur.write_bytes(b)
    return None


def verify(tmp: Path) -> list[str]:
    problems: list[str] = []
    log = [f"# `TZ=UTC bsdtar -tvf FIXTURE` with {bsdtar(['--version']).stdout.decode().strip()}",
           "# (written by make_fixtures.py; the libarchive view each expectation was checked against)", ""]
    exp = {e["fixture"]: e for e in EXPECTED}
    for name in sorted(exp):
        f = out(name)
        p = bsdtar(["-tvf", str(f)])
        err_lines = p.stderr.decode(errors="replace").splitlines()
        if len(err_lines) > 12:
            err_lines = err_lines[:6] + [f"... ({len(err_lines) - 12} more lines)"] + err_lines[-6:]
        listing = p.stdout.decode(errors="backslashreplace").splitlines()
        if len(listing) > 40:
            listing = listing[:20] + [f"... ({len(listing) - 40} more entries)"] + listing[-20:]
        log += [f"## {name}  (rc={p.returncode})"] + ["    " + x for x in listing] + ["  ! " + x for x in err_lines] + [""]
        chk = CHECKS.get(name, {})
        if "raw" in chk:
            got = raw_read_libarchive(f)
            if got is not None and got != chk["raw"]:
                problems.append(f"{name}: libarchive raw read differs")
            continue
        names = bsdtar(["-tf", str(f)])
        listed = names.stdout.decode(errors="surrogateescape").splitlines()
        if "list_ok" in chk and (names.returncode == 0) != chk["list_ok"]:
            problems.append(f"{name}: bsdtar -tf rc={names.returncode}, expected {'0' if chk['list_ok'] else 'failure'}")
        if chk.get("names") is not None and [n.rstrip("/") for n in listed] != chk["names"]:
            problems.append(f"{name}: bsdtar names {listed[:5]}… != {chk['names'][:5]}…")
        if "count" in chk and len(listed) != chk["count"]:
            problems.append(f"{name}: {len(listed)} entries listed, expected {chk['count']}")
        for member, ref in chk.get("members", {}).items():
            if ref is None:
                continue
            got = bsdtar_member(f, member)
            if got != ref:
                problems.append(f"{name}: bsdtar -xOf {member!r} gave {None if got is None else len(got)} bytes, expected {len(ref)}")
        for member in chk.get("bad", []):
            if bsdtar_member(f, member, strict=True) is not None:
                problems.append(f"{name}: {member} extracted without error")
        for member in chk.get("encrypted", []):
            q = bsdtar(["-xOf", str(f), member])
            if q.returncode == 0 or not any(w in q.stderr for w in (b"assphrase", b"ncrypted")):
                problems.append(f"{name}: {member} not reported as encrypted: {q.stderr[:120]!r}")
        # generic: every expected good entry whose path is a name libarchive lists once must extract to
        # exactly the reference bytes (nested paths level by level).
        counts: dict[str, int] = {}
        for n in listed:
            counts[n.rstrip("/")] = counts.get(n.rstrip("/"), 0) + 1
        for e in exp[name]["entries"]:
            if e.get("status") != "ok" or "sha256" not in e:
                continue
            top = e["path"].split("!/")[0]
            if counts.get(top) != 1:
                continue
            got = nested_bytes(f, e["path"], tmp)
            if got is None or sha(got) != e["sha256"]:
                problems.append(f"{name}: reference extraction of {e['path']} does not match sha256")
    (HERE / "bsdtar-3.6.2.txt").write_text("\n".join(log) + "\n")
    return problems


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="exhibit-fixtures-") as td:
        tmp = Path(td)
        steps = [make_formats, lambda t: make_rar(), make_nesting, make_times, make_names_links, make_damage,
                 make_bombs, make_encrypted, make_charsets]
        for step in steps:
            step(tmp)
        names = [e["fixture"] for e in EXPECTED]
        assert len(names) == len(set(names)), "duplicate fixture names"
        for n in names:
            assert out(n).exists(), n
            assert n in NOTES, f"no note for {n}"
        with open(HERE / "expected.json", "w", encoding="utf-8") as fh:
            json.dump(EXPECTED, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        with open(HERE / "fixtures.tsv", "w", encoding="utf-8") as fh:
            fh.write("fixture\tbytes\tsha256\thow it was made / what it covers\n")
            for n in sorted(names):
                b = out(n).read_bytes()
                fh.write(f"{n}\t{len(b)}\t{sha(b)}\t{NOTES[n]}\n")
        problems = verify(tmp)
        total = sum(out(n).stat().st_size for n in names)
        print(f"{len(names)} fixtures, {total} bytes")
        if problems:
            print("VERIFY FAILED:\n  " + "\n  ".join(problems))
            sys.exit(1)
        print("bsdtar verification: all checks passed")


if __name__ == "__main__":
    main()
