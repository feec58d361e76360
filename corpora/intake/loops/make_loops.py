#!/usr/bin/env python3
"""Hostile-structure fixtures for the intake guard (docs/intake.md, "Intake guard").

Every fixture is written byte by byte here, from the public format descriptions (ECMA-119 and
IEEE P1282 / SUSP 1.12 for ISO 9660 + Rock Ridge, the xar header and toc layout, POSIX pax and
GNU tar sparse headers, RFC 1952 gzip, cpio "newc"); nothing is copied from another project's
test data. Deterministic: run twice, get the same bytes (fixtures.tsv lists sizes and SHA-256).

    python3 corpora/intake/loops/make_loops.py

Each file attacks one way a reader can be made to loop or grow without bound; README.md says
what each one is and what the ingest must record.
"""
import gzip
import hashlib
import io
import lzma
import struct
import tarfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTOR = 2048
EPOCH = 1724825523  # 2024-08-28T06:12:03Z, as in ../make_fixtures.py


def both16(v: int) -> bytes:
    return struct.pack("<H", v) + struct.pack(">H", v)


def both32(v: int) -> bytes:
    return struct.pack("<I", v) + struct.pack(">I", v)


def dir_record(name: bytes, extent: int, size: int, is_dir: bool, system_use: bytes = b"") -> bytes:
    """An ECMA-119 directory record (9.1) with an optional SUSP system-use area."""
    body = bytearray()
    body += b"\x00"                                  # extended attribute record length
    body += both32(extent) + both32(size)
    body += bytes([124, 8, 28, 6, 12, 3, 0])         # 2024-08-28 06:12:03 UTC
    body += bytes([2 if is_dir else 0, 0, 0]) + both16(1)
    body += bytes([len(name)]) + name
    if len(name) % 2 == 0:
        body += b"\x00"                              # padding field after an even-length name
    body += system_use
    rec = bytes([len(body) + 1]) + bytes(body)
    if len(rec) % 2:
        rec += b"\x00"
        rec = bytes([len(rec)]) + rec[1:]
    return rec


def susp(sig: bytes, payload: bytes, version: int = 1) -> bytes:
    return sig + bytes([len(payload) + 4, version]) + payload


def ce(location: int, offset: int, length: int) -> bytes:
    """SUSP 5.1 continuation-area entry: the system use continues at (block, offset, length)."""
    return susp(b"CE", both32(location) + both32(offset) + both32(length))


def nm(name: bytes) -> bytes:
    return susp(b"NM", b"\x00" + name)


def px(mode: int) -> bytes:
    return susp(b"PX", both32(mode) + both32(1) + both32(0) + both32(0) + both32(0))


def pvd(total_sectors: int, root: bytes, path_table_size: int) -> bytes:
    """ECMA-119 8.4 primary volume descriptor."""
    d = bytearray(SECTOR)
    d[0] = 1
    d[1:6] = b"CD001"
    d[6] = 1
    d[8:40] = b"EXHIBIT".ljust(32)
    d[40:72] = b"LOOPS".ljust(32)
    d[80:88] = both32(total_sectors)
    d[120:124] = both16(1)
    d[124:128] = both16(1)
    d[128:132] = both16(SECTOR)
    d[132:140] = both32(path_table_size)
    d[140:144] = struct.pack("<I", 18)
    d[148:152] = struct.pack(">I", 19)
    d[156:156 + len(root)] = root
    for off in (813, 830, 847, 864):                 # dates: "not specified"
        d[off:off + 16] = b"0" * 16
    d[881] = 1
    return bytes(d)


def terminator() -> bytes:
    d = bytearray(SECTOR)
    d[0] = 255
    d[1:6] = b"CD001"
    d[6] = 1
    return bytes(d)


def path_tables() -> tuple[bytes, bytes, int]:
    """One-entry path tables (the root) in little- and big-endian form."""
    le = bytes([1, 0]) + struct.pack("<I", 20) + struct.pack("<H", 1) + b"\x00\x00"
    be = bytes([1, 0]) + struct.pack(">I", 20) + struct.pack(">H", 1) + b"\x00\x00"
    return le.ljust(SECTOR, b"\x00"), be.ljust(SECTOR, b"\x00"), 10


def iso_image(root_extent: bytes, extra: dict[int, bytes], total: int) -> bytes:
    le, be, pts = path_tables()
    root = dir_record(b"\x00", 20, SECTOR, True)
    sectors = {16: pvd(total, root, pts), 17: terminator(), 18: le, 19: be, 20: root_extent}
    sectors.update(extra)
    out = bytearray(total * SECTOR)
    for n, data in sectors.items():
        out[n * SECTOR:n * SECTOR + len(data)] = data
    return bytes(out)


def rr_root_records() -> bytes:
    """"." with the SUSP "SP" indicator and the Rock Ridge "ER" entry, then ".."."""
    er = susp(b"ER", bytes([10, 0, 0, 1]) + b"RRIP_1991A")
    dot = dir_record(b"\x00", 20, SECTOR, True, susp(b"SP", b"\xbe\xef\x00") + px(0o40755) + er)
    dotdot = dir_record(b"\x01", 20, SECTOR, True, px(0o40755))
    return dot + dotdot


def iso_ce_loop() -> bytes:
    """A file whose Rock Ridge entries continue (CE) in block 21, whose area holds a CE that
    points at block 21 again: a reader that follows continuations without remembering them loops."""
    data = b"notes before the loop\n"
    loop_area = ce(21, 0, 28) + susp(b"ST", b"")
    rec = dir_record(b"NOTES.TXT;1", 22, len(data), False, px(0o100644) + nm(b"notes.txt") + ce(21, 0, len(loop_area)))
    root = rr_root_records() + rec
    return iso_image(root, {21: loop_area, 22: data}, 32)


def iso_dir_loop() -> bytes:
    """A subdirectory whose extent is the root's own: the tree is a cycle (root → sub → root …)."""
    data = b"a file beside the loop\n"
    sub = dir_record(b"SUB", 20, SECTOR, True, px(0o40755) + nm(b"sub"))
    f = dir_record(b"A.TXT;1", 21, len(data), False, px(0o100644) + nm(b"a.txt"))
    root = rr_root_records() + f + sub
    return iso_image(root, {21: data}, 32)


def xar(toc_xml: str, heap: bytes = b"") -> bytes:
    """xar: 28-byte big-endian header, zlib-compressed toc, heap starting with the toc's SHA-1."""
    toc = zlib.compress(toc_xml.encode(), 9)
    header = b"xar!" + struct.pack(">HHQQI", 28, 1, len(toc), len(toc_xml.encode()), 1)
    return header + toc + hashlib.sha1(toc).digest() + heap


def xar_double_hardlink() -> bytes:
    """Two files, each with two hardlink <type> elements, the second naming the first: a reader
    that links hardlinks into a list without checking builds a cycle and walks it forever."""
    def f(fid: int, name: str, link: str) -> str:
        return (f'<file id="{fid}"><name>{name}</name>'
                f'<type link="{link}">hardlink</type><type link="{link}">hardlink</type>'
                '<mode>0644</mode><mtime>2024-08-28T06:12:03Z</mtime></file>')
    toc = ('<?xml version="1.0" encoding="UTF-8"?><xar><toc>'
           '<checksum style="sha1"><offset>0</offset><size>20</size></checksum>'
           + f(1, "first.txt", "original") + f(2, "second.txt", "1") + '</toc></xar>')
    return xar(toc)


def xar_toc_self_parent() -> bytes:
    """A file nested inside itself in the toc (file id 1 contains file id 1) plus a data heap whose
    declared length runs far past the end of the file."""
    toc = ('<?xml version="1.0" encoding="UTF-8"?><xar><toc>'
           '<checksum style="sha1"><offset>0</offset><size>20</size></checksum>'
           '<file id="1"><name>dir</name><type>directory</type>'
           '<file id="1"><name>dir</name><type>directory</type>'
           '<file id="2"><name>big.bin</name><type>file</type>'
           '<data><offset>20</offset><length>1099511627776</length><size>1099511627776</size>'
           '<encoding style="application/octet-stream"/>'
           '<extracted-checksum style="sha1">0000000000000000000000000000000000000000</extracted-checksum>'
           '<archived-checksum style="sha1">0000000000000000000000000000000000000000</archived-checksum>'
           '</data></file></file></file></toc></xar>')
    return xar(toc, b"only a few bytes of heap\n")


def tar_header(name: bytes, size: int, typeflag: bytes, *, size_field: bytes | None = None,
               extra: dict[int, bytes] | None = None) -> bytes:
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = size_field if size_field is not None else b"%011o\x00" % size
    h[136:148] = b"%011o\x00" % EPOCH
    h[156:157] = typeflag
    h[257:265] = b"ustar  \x00"                      # GNU magic
    for off, val in (extra or {}).items():
        h[off:off + len(val)] = val
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


def tar_sparse_lying() -> bytes:
    """GNU old-format sparse member ('S') declaring a real size of 1 TiB with one 512-byte data
    chunk at the very end: the hole before it is 1 TiB of zeros a reader would expand. A second
    member declares 8 EiB in base-256 and carries 512 bytes."""
    real = 1 << 40
    sp = bytearray()
    sp += b"%011o\x00" % (real - 512) + b"%011o\x00" % 512   # sparse[0]: offset, numbytes
    h = tar_header(b"holes.bin", 512, b"S", extra={386: bytes(sp), 483: b"%011o\x00" % real})
    body = b"end of the 1 TiB file\n".ljust(512, b"\x00")
    lying = tar_header(b"lying.bin", 0, b"0", size_field=b"\x80" + b"\x00" * 3 + b"\x7f" + b"\xff" * 7)
    lying_body = b"only 512 bytes follow a size of 8 EiB\n".ljust(512, b"\x00")
    return h + body + lying + lying_body + b"\x00" * 1024


def pax_sparse_huge_map() -> bytes:
    """pax GNU sparse 1.0: the map at the start of the data declares 10^15 regions, but only a few
    bytes follow. A reader that allocates the declared map, or loops over it, runs away."""
    info = tarfile.TarInfo("GNUSparseFile.0/huge-map.bin")
    info.mtime = EPOCH
    info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "huge-map.bin",
                        "GNU.sparse.realsize": str(1 << 40)}
    body = b"1000000000000000\n" + b"0\n512\n" * 50
    body = body.ljust(1024, b"\x00")
    info.size = len(body)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def gzip_chain(levels: int) -> bytes:
    """A short text gzipped `levels` times: each layer is a valid gzip of the one inside, so a
    reader that stacks a decompressor per layer nests without end (libarchive stops at 25)."""
    data = b"the innermost text of a gzip chain\n"
    for _ in range(levels):
        data = gzip.compress(data, 9, mtime=0)
    return data


def cpio_newc(entries: list[tuple[bytes, bytes]]) -> bytes:
    out = bytearray()
    for i, (name, data) in enumerate(entries + [(b"TRAILER!!!", b"")]):
        n = name + b"\x00"
        hdr = b"070701" + b"".join(b"%08X" % v for v in (
            i + 1, 0o100644, 0, 0, 1, EPOCH, len(data), 0, 0, 0, 0, len(n), 0))
        out += hdr + n
        out += b"\x00" * ((-len(out)) % 4)
        out += data
        out += b"\x00" * ((-len(out)) % 4)
    return bytes(out)


def entry_flood() -> bytes:
    """8,000 empty files in one cpio (xz): many entries, each cheap to list."""
    return lzma.compress(cpio_newc([(b"f/%06d" % i, b"") for i in range(8_000)]), preset=9)


def long_name_flood() -> bytes:
    """32 pax members whose paths are 128 KiB each (4 MiB of names from a few KiB of xz)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for i in range(32):
            info = tarfile.TarInfo(("d%02d/" % i) + "n" * (128 << 10))
            info.mtime = EPOCH
            data = b"member %d\n" % i
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return lzma.compress(buf.getvalue(), preset=9)


FIXTURES = {
    "iso-rr-ce-loop.iso.gz": lambda: gzip.compress(iso_ce_loop(), 9, mtime=0),
    "iso-dir-loop.iso.gz": lambda: gzip.compress(iso_dir_loop(), 9, mtime=0),
    "xar-double-hardlink.xar": xar_double_hardlink,
    "xar-toc-self-parent.xar": xar_toc_self_parent,
    "tar-sparse-lying.tar": tar_sparse_lying,
    "pax-sparse-huge-map.tar": pax_sparse_huge_map,
    "gzip-chain-40.gz": lambda: gzip_chain(40),
    "cpio-entry-flood.cpio.xz": entry_flood,
    "tar-long-name-flood.tar.xz": long_name_flood,
}


def main() -> None:
    rows = []
    for name, make in FIXTURES.items():
        data = make()
        (HERE / name).write_bytes(data)
        rows.append(f"{name}\t{len(data)}\t{hashlib.sha256(data).hexdigest()}")
    (HERE / "fixtures.tsv").write_text("fixture\tbytes\tsha256\n" + "\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
