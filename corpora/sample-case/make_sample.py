#!/usr/bin/env python3
"""Builds the synthetic demo evidence for `make demo`: phone-dump.zip and pc-export.tar.gz.

Everything is invented: the people (Jun-ho, the phone's owner, and Minji), the chats, the pictures
(procedural scenes drawn here, encoded by libjpeg-turbo's `cjpeg`; a PNG written with zlib). Times
are fixed; the phone and the PC are set to Asia/Seoul (UTC+9), so naive local times in the exports
are Seoul wall-clock times. Output is deterministic; tests and the demo use the committed files.

Needs: python3, cjpeg (Debian: libjpeg-turbo-progs), GNU tar, gzip.
"""
from __future__ import annotations

import calendar
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
SEOUL = 9 * 3600


def utc(y, mo, d, h, mi, s) -> int:
    return calendar.timegm((y, mo, d, h, mi, s))


def seoul(y, mo, d, h, mi, s) -> int:
    """Epoch seconds of a Seoul wall-clock time."""
    return utc(y, mo, d, h, mi, s) - SEOUL


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


# ------------------------------------------------------------------------------------------
# pictures: procedural scenes -> PPM -> cjpeg; EXIF APP1 written by hand (TIFF 6.0 / Exif 2.32)
# ------------------------------------------------------------------------------------------

def scene_concert(w=320, h=240) -> bytes:
    px = bytearray(w * h * 3)
    for y in range(h):
        for x in range(w):
            r, g, b = 10 + y // 8, 5, 30 + y // 4                        # dark violet backdrop
            for cx, col in ((60, (255, 60, 160)), (160, (80, 200, 255)), (260, (255, 220, 60))):
                # light cones from the top, widening downwards
                if abs(x - cx) < 8 + y * 0.35:
                    k = 1.0 - abs(x - cx) / (8 + y * 0.35)
                    r, g, b = (min(255, int(r + col[0] * 0.6 * k)), min(255, int(g + col[1] * 0.6 * k)),
                               min(255, int(b + col[2] * 0.6 * k)))
            if y > 185:                                                  # stage
                r, g, b = 60 + (x // 20 % 2) * 20, 40, 30
            if 150 < y <= 185 and any(abs(x - c) < 9 for c in (110, 150, 200)) and (y > 160 or any(abs(x - c) < 5 for c in (110, 150, 200))):
                r, g, b = 20, 20, 25                                     # silhouettes
            i = (y * w + x) * 3
            px[i:i + 3] = bytes((r, g, b))
    return b"P6\n%d %d\n255\n" % (w, h) + bytes(px)


def scene_park(w=320, h=240) -> bytes:
    px = bytearray(w * h * 3)
    trees = [(50, 120, 28), (140, 110, 36), (250, 125, 30)]
    for y in range(h):
        for x in range(w):
            if y < 130:
                r, g, b = 120 + y // 3, 170 + y // 4, 235                # sky
            else:
                r, g, b = 60, 140 + (x * 7 + y * 3) % 23, 50             # grass with texture
            if (x - 280) ** 2 + (y - 40) ** 2 < 400:
                r, g, b = 255, 240, 150                                  # sun
            for tx, ty, rad in trees:
                if tx - 4 < x < tx + 4 and ty < y < ty + 45:
                    r, g, b = 90, 60, 30                                 # trunk
                if (x - tx) ** 2 + (y - ty) ** 2 < rad * rad:
                    r, g, b = 30, 110 + (x + y) % 30, 40                 # crown
            if 200 < y < 215 and 20 < x < 300:
                r, g, b = 150, 110, 70                                   # path
            i = (y * w + x) * 3
            px[i:i + 3] = bytes((r, g, b))
    return b"P6\n%d %d\n255\n" % (w, h) + bytes(px)


def ppm_pixels(ppm: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM written by this script."""
    magic, dims, _, data = ppm.split(b"\n", 3)
    w, h = (int(v) for v in dims.split())
    return w, h, data


def ppm_rot90(ppm: bytes) -> bytes:
    """The picture turned 90° clockwise (a re-shared, rotated copy)."""
    w, h, px = ppm_pixels(ppm)
    out = bytearray(w * h * 3)
    for y in range(h):
        for x in range(w):
            i, j = (y * w + x) * 3, (x * h + (h - 1 - y)) * 3
            out[j:j + 3] = px[i:i + 3]
    return b"P6\n%d %d\n255\n" % (h, w) + bytes(out)


def ppm_half(ppm: bytes) -> bytes:
    """The picture at half size (2×2 box average), as a messenger thumbnail-sized copy."""
    w, h, px = ppm_pixels(ppm)
    out = bytearray((w // 2) * (h // 2) * 3)
    for y in range(h // 2):
        for x in range(w // 2):
            for c in range(3):
                s = sum(px[((2 * y + dy) * w + 2 * x + dx) * 3 + c] for dy in (0, 1) for dx in (0, 1))
                out[(y * (w // 2) + x) * 3 + c] = (s + 2) // 4
    return b"P6\n%d %d\n255\n" % (w // 2, h // 2) + bytes(out)


def known_bad_lists(concert: bytes, tg_copy: bytes) -> None:
    """The demo's known-bad hash sets (known-bad/): the concert picture's PDQ computed by the
    reference implementation (PyPI pdqhash, over the original pixels) and the Telegram copy's
    SHA-256. Without pdqhash the committed PDQ list is kept."""
    out = HERE / "known-bad"
    out.mkdir(exist_ok=True)
    (out / "sha256.txt").write_text("# sha256 — known-bad files (demo, synthetic)\n" + sha(tg_copy) + "\n")
    try:
        import numpy as np
        import pdqhash
    except ImportError:
        return
    w, h, px = ppm_pixels(concert)
    bits, quality = pdqhash.compute(np.frombuffer(px, dtype=np.uint8).reshape(h, w, 3))
    hexhash = "%064x" % int("".join(str(int(b)) for b in bits), 2)
    (out / "pdq.txt").write_text("# PDQ (pdqhash), quality, label — known-bad pictures (demo, synthetic)\n"
                                 f"{hexhash},{int(quality)},concert-stage-original\n")


def cjpeg(ppm: bytes, quality: int) -> bytes:
    p = subprocess.run(["cjpeg", "-quality", str(quality), "-optimize"], input=ppm, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return p.stdout


def png(w: int, h: int, pixel) -> bytes:
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw += bytes(pixel(x, y))

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def screenshot_pixel(x: int, y: int) -> tuple[int, int, int]:
    """A chat-app-like screenshot: header bar, alternating message bubbles, input bar."""
    if y < 28:
        return (40, 90, 160)
    if y > 300:
        return (235, 235, 235) if 8 < x < 172 and 306 < y < 316 else (210, 210, 210)
    row = (y - 28) // 34
    left = row % 2 == 0
    in_bubble = 6 < (y - 28) % 34 < 30 and ((left and 8 < x < 120) or (not left and 60 < x < 172))
    if in_bubble:
        return (255, 255, 255) if left else (220, 248, 198)
    return (236, 229, 221)


TIFF_TYPES = {"BYTE": (1, 1), "ASCII": (2, 1), "SHORT": (3, 2), "LONG": (4, 4), "RATIONAL": (5, 8), "UNDEFINED": (7, 1)}


def _ifd(entries: list[tuple[int, str, object]], start: int) -> tuple[bytes, dict[int, int]]:
    """One little-endian IFD at offset `start` (from the TIFF header) with its out-of-line values
    after it. Returns the bytes and the offset of each tag's 4-byte value field (for pointers)."""
    entries = sorted(entries, key=lambda e: e[0])
    n = len(entries)
    data_off = start + 2 + 12 * n + 4
    head = bytearray(struct.pack("<H", n))
    tail = bytearray()
    fields = {}
    for tag, typ, val in entries:
        code, size = TIFF_TYPES[typ]
        if typ == "ASCII":
            raw = val.encode() + b"\0"
            count = len(raw)
        elif typ in ("BYTE", "UNDEFINED"):
            raw = bytes(val)
            count = len(raw)
        elif typ == "SHORT":
            raw = b"".join(struct.pack("<H", v) for v in val)
            count = len(val)
        elif typ == "LONG":
            raw = b"".join(struct.pack("<I", v) for v in val)
            count = len(val)
        else:
            raw = b"".join(struct.pack("<II", a, b) for a, b in val)
            count = len(val)
        fields[tag] = start + len(head) + 8
        if len(raw) <= 4:
            head += struct.pack("<HHI", tag, code, count) + raw.ljust(4, b"\0")
        else:
            off = data_off + len(tail)
            head += struct.pack("<HHII", tag, code, count, off)
            tail += raw + (b"\0" if len(raw) % 2 else b"")
    head += struct.pack("<I", 0)
    return bytes(head + tail), fields


def exif_app1(make: str, model: str, software: str, taken: str, offset: str, subsec: str,
              gps: tuple[float, float, str, tuple[int, int, int]] | None) -> bytes:
    """APP1 'Exif' segment: IFD0 (Make, Model, Orientation, Software, DateTime, pointers), Exif IFD
    (ExifVersion, DateTimeOriginal/Digitized, OffsetTimeOriginal, SubSecTimeOriginal) and GPS IFD."""
    def dms(v: float) -> list[tuple[int, int]]:
        d = int(v)
        m = int((v - d) * 60)
        s = round(((v - d) * 60 - m) * 60 * 100)
        return [(d, 1), (m, 1), (s, 100)]
    ifd0_entries = [(0x010F, "ASCII", make), (0x0110, "ASCII", model), (0x0112, "SHORT", [1]),
                    (0x0131, "ASCII", software), (0x0132, "ASCII", taken),
                    (0x8769, "LONG", [0])] + ([(0x8825, "LONG", [0])] if gps else [])
    ifd0, f0 = _ifd(ifd0_entries, 8)
    exif_start = 8 + len(ifd0)
    exif, _ = _ifd([(0x9000, "UNDEFINED", b"0232"), (0x9003, "ASCII", taken), (0x9004, "ASCII", taken),
                    (0x9011, "ASCII", offset), (0x9291, "ASCII", subsec)], exif_start)
    tiff = bytearray(b"II*\0" + struct.pack("<I", 8) + ifd0 + exif)
    struct.pack_into("<I", tiff, f0[0x8769], exif_start)
    if gps:
        lat, lon, date, hms = gps
        gps_start = len(tiff)
        g, _ = _ifd([(0x0000, "BYTE", [2, 3, 0, 0]), (0x0001, "ASCII", "N"), (0x0002, "RATIONAL", dms(lat)),
                     (0x0003, "ASCII", "E"), (0x0004, "RATIONAL", dms(lon)),
                     (0x0007, "RATIONAL", [(hms[0], 1), (hms[1], 1), (hms[2], 1)]), (0x001D, "ASCII", date)], gps_start)
        tiff += g
        struct.pack_into("<I", tiff, f0[0x8825], gps_start)
    body = b"Exif\0\0" + bytes(tiff)
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif(jpeg: bytes, app1: bytes) -> bytes:
    """Inserts APP1 after SOI and cjpeg's JFIF APP0."""
    assert jpeg[:4] == b"\xff\xd8\xff\xe0"
    app0_len = struct.unpack(">H", jpeg[4:6])[0]
    cut = 4 + app0_len
    return jpeg[:cut] + app1 + jpeg[cut:]


# ------------------------------------------------------------------------------------------
# chat exports
# ------------------------------------------------------------------------------------------

NNBSP, LRM = "\u202f", "\u200e"


def whatsapp_android_en_us() -> bytes:
    """Android, en-US, 12 h: `M/D/YY, H:MM\u202fPM - Name: text`; LF line ends; attachment line with
    U+200E and `(file attached)`; a multi-line message; system lines without `Name:`."""
    def t(m, d, hh, mm, ap):
        return f"{m}/{d}/24, {hh}:{mm:02d}{NNBSP}{ap}"
    lines = [
        f"{t(8, 28, 3, 5, 'PM')} - Messages and calls are end-to-end encrypted. No one outside of this chat, "
        "not even WhatsApp, can read or listen to them. Tap to learn more.",
        f"{t(8, 28, 3, 6, 'PM')} - Minji: 안녕! 어제 콘서트 사진 있어?",
        f"{t(8, 28, 3, 7, 'PM')} - Jun-ho: 응 잠깐만",
        f"{t(8, 28, 3, 12, 'PM')} - Jun-ho: {LRM}IMG-20240828-WA0001.jpg (file attached)",
        f"{t(8, 28, 3, 13, 'PM')} - Minji: 와 잘 나왔다",
        "무대 조명 진짜 예쁘다",
        f"{t(8, 28, 3, 15, 'PM')} - Minji: This message was deleted",
        f"{t(8, 29, 9, 41, 'AM')} - Minji: Tomorrow at 7 at the park? <This message was edited>",
        f"{t(8, 29, 9, 43, 'AM')} - Jun-ho: OK 👍",
        f"{t(8, 30, 10, 2, 'PM')} - Jun-ho: 공원 사진도 보낼게",
    ]
    return ("\n".join(lines) + "\n").encode()


def kakaotalk_android_ko() -> bytes:
    """Android, Korean: BOM, `NAME 님과 카카오톡 대화`, `저장한 날짜 : …`, day lines, then
    `YYYY년 M월 D일 오후 H:MM, NAME : text`; the exporting user is `회원님`; mixed CRLF/LF."""
    parts = [
        ("\ufeff민지 님과 카카오톡 대화", "\r\n"),
        ("저장한 날짜 : 2024년 8월 30일 오후 10:15", "\r\n"),
        ("", "\r\n"),
        ("2024년 8월 28일 오후 2:58", "\n"),
        ("2024년 8월 28일 오후 2:58, 민지 : 콘서트 재밌었어?", "\n"),
        ("2024년 8월 28일 오후 2:59, 회원님 : 응 최고였어", "\r\n"),
        ("2024년 8월 28일 오후 3:01, 회원님 : 사진", "\n"),
        ("2024년 8월 28일 오후 3:02, 민지 : 메시지가 삭제되었습니다.", "\n"),
        ("", "\n"),
        ("2024년 8월 29일 오전 9:30", "\r\n"),
        ("2024년 8월 29일 오전 9:30, 민지 : 계약서 파일 보냈어", "\r\n"),
        ("2024년 8월 29일 오전 9:31, 민지 : 파일: 계약서_최종.txt", "\n"),
    ]
    return "".join(a + b for a, b in parts).encode()


JUNHO = ("Jun-ho", "user5550009999")
MINJI = ("Minji", "user5550001234")


def tg_msg(mid: int, when: tuple, sender, text, **extra) -> dict:
    """A tdesktop JSON message in tdesktop's key order: id, type, date, date_unixtime, [edited,
    edited_unixtime], from, from_id, [forwarded_from], [reply_to_message_id], media…, text, text_entities."""
    epoch = seoul(*when)
    m: dict = {"id": mid, "type": "message", "date": "%04d-%02d-%02dT%02d:%02d:%02d" % when,
               "date_unixtime": str(epoch)}
    if "edited" in extra:
        e = extra.pop("edited")
        m["edited"] = "%04d-%02d-%02dT%02d:%02d:%02d" % e
        m["edited_unixtime"] = str(seoul(*e))
    m["from"], m["from_id"] = sender
    for k in ("forwarded_from", "reply_to_message_id", "photo", "photo_file_size", "file", "file_name",
              "file_size", "thumbnail", "thumbnail_file_size", "media_type", "mime_type", "duration_seconds",
              "width", "height"):
        if k in extra:
            m[k] = extra.pop(k)
    m["text"] = text
    ents = []
    for part in (text if isinstance(text, list) else ([text] if text else [])):
        ents.append({"type": "plain", "text": part} if isinstance(part, str) else part)
    m["text_entities"] = ents
    m.update(extra)
    return m


def telegram_result(photo_size: int) -> bytes:
    msgs = [
        tg_msg(101, (2024, 8, 28, 15, 10, 0), MINJI, "어제 콘서트 사진 여기로도 보내줘"),
        tg_msg(102, (2024, 8, 28, 15, 12, 3), JUNHO, "", photo="photos/photo_1@28-08-2024_15-12-03.jpg",
               photo_file_size=photo_size, width=320, height=240),
        tg_msg(103, (2024, 8, 28, 15, 13, 30), MINJI,
               ["좋다! 공연 정보: ", {"type": "link", "text": "https://example.com/concert"}],
               reply_to_message_id=102,
               reactions=[{"type": "emoji", "count": 1, "emoji": "❤"}]),
        {"id": 104, "type": "service", "date": "2024-08-28T21:00:00", "date_unixtime": str(seoul(2024, 8, 28, 21, 0, 0)),
         "actor": "Minji", "actor_id": "user5550001234", "action": "phone_call", "duration_seconds": 65,
         "discard_reason": "hangup", "text": "", "text_entities": []},
        tg_msg(105, (2024, 8, 29, 9, 40, 0), MINJI, "내일 7시 공원에서 봐", edited=(2024, 8, 29, 9, 42, 10)),
        tg_msg(106, (2024, 8, 29, 9, 45, 0), JUNHO, "Concert schedule for September is out.",
               forwarded_from="Concert News"),
        tg_msg(107, (2024, 8, 30, 22, 5, 0), JUNHO, "",
               file="(File not included. Change data exporting settings to download.)",
               file_name="stage_clip.mp4", file_size=8388608, media_type="video_file", mime_type="video/mp4",
               duration_seconds=12, width=1280, height=720),
    ]
    doc = {"name": "Minji", "type": "personal_chat", "id": 5550001234, "messages": msgs}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode()


# ------------------------------------------------------------------------------------------
# containers
# ------------------------------------------------------------------------------------------

class CP949Info(zipfile.ZipInfo):
    """A zip entry whose non-ASCII name is written as raw CP949 with flag bit 11 clear, as Korean
    Windows archivers do (python's zipfile would write UTF-8 and set the flag)."""

    def _encodeFilenameFlags(self):
        try:
            return self.filename.encode("ascii"), self.flag_bits
        except UnicodeEncodeError:
            return self.filename.encode("cp949"), self.flag_bits & ~0x800


def dos_tuple(epoch: int) -> tuple:
    return tuple(__import__("time").gmtime(epoch + SEOUL)[:6])     # Seoul wall clock, as the PC saw it


def ut_extra(epoch: int) -> bytes:
    return struct.pack("<HHBI", 0x5455, 5, 1, epoch)


def build_phone(files: list[tuple[str, bytes, int]]) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data, epoch in files:
            zi = CP949Info(name, date_time=dos_tuple(epoch))
            zi.compress_type = zipfile.ZIP_STORED if name.endswith((".jpg", ".png", ".gz")) else zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0x20
            zi.extra = ut_extra(epoch)
            z.writestr(zi, data)
    return bio.getvalue()


def gnu_tar_gz(root: Path, members: list[str], mtimes: dict[str, int]) -> bytes:
    for m in sorted(members, key=lambda p: -p.count("/")):
        os.utime(root / m, (mtimes[m], mtimes[m]))
    tar = subprocess.run(["tar", "-C", str(root), "--format=pax", "--no-recursion", "--numeric-owner",
                          "--owner=1000", "--group=1000",
                          "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
                          "-cf", "-", "--"] + members, env=ENV, stdout=subprocess.PIPE, check=True).stdout
    return subprocess.run(["gzip", "-n", "-9", "-c"], input=tar, stdout=subprocess.PIPE, check=True).stdout


def write_members(root: Path, files: dict[str, bytes]) -> list[str]:
    if root.exists():
        shutil.rmtree(root)
    members = set()
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        parts = name.split("/")
        for i in range(1, len(parts)):
            members.add("/".join(parts[:i]))
        members.add(name)
    return sorted(members)


def main() -> None:
    concert = scene_concert()
    park = scene_park()
    t_concert = seoul(2024, 8, 28, 15, 12, 3)
    t_park = seoul(2024, 8, 29, 19, 5, 41)
    img1 = with_exif(cjpeg(concert, 92), exif_app1("ExhibitCam", "Synthetic One", "ExhibitCam 1.0",
                                                  "2024:08:28 15:12:03", "+09:00", "120",
                                                  (37.5665, 126.978, "2024:08:28", (6, 12, 5))))
    img2 = with_exif(cjpeg(park, 92), exif_app1("ExhibitCam", "Synthetic One", "ExhibitCam 1.0",
                                               "2024:08:29 19:05:41", "+09:00", "480",
                                               (37.5512, 126.9882, "2024:08:29", (10, 5, 40))))
    wa_copy = cjpeg(concert, 60)          # what WhatsApp sends: recompressed, metadata stripped
    tg_copy = cjpeg(concert, 82)          # what Telegram stores: recompressed, metadata stripped
    shot = png(180, 320, screenshot_pixel)

    backup_files = {
        "notes/2024-08-29.txt": "공원 7시. 카메라 챙기기.\nBring the camera.\n".encode(),
        "notes/shopping.txt": b"- batteries\n- memory card 128 GB\n",
        "db/notes.json": json.dumps({"version": 3, "notes": [
            {"id": 1, "title": "공원", "created": 1724890800000},
            {"id": 2, "title": "shopping", "created": 1724893200000}]}, ensure_ascii=False).encode() + b"\n",
    }
    t_backup = seoul(2024, 8, 30, 23, 0, 0)
    with tempfile.TemporaryDirectory() as td:
        root = Path(td) / "backup"
        members = write_members(root, backup_files)
        backup = gnu_tar_gz(root, members, {m: t_backup for m in members})

    whatsapp = whatsapp_android_en_us()
    kakao = kakaotalk_android_ko()
    contract = "계약서 (synthetic)\n갑: 가상회사 / 을: 홍길동\n금액: 1,000,000원\n".encode()
    wa_dir = "sdcard/Download/WhatsApp Chat with Minji/"
    phone = [
        ("sdcard/DCIM/Camera/IMG_20240828_151203.jpg", img1, t_concert),
        ("sdcard/DCIM/Camera/IMG_20240829_190541.jpg", img2, t_park),
        ("sdcard/Pictures/Screenshots/Screenshot_20240830-101500.png", shot, seoul(2024, 8, 30, 10, 15, 0)),
        ("sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg", wa_copy, seoul(2024, 8, 28, 15, 12, 1)),
        (wa_dir + "WhatsApp Chat with Minji.txt", whatsapp, seoul(2024, 8, 30, 22, 10, 5)),
        (wa_dir + "IMG-20240828-WA0001.jpg", wa_copy, seoul(2024, 8, 30, 22, 10, 5)),
        ("sdcard/Download/KakaoTalk/KakaoTalkChats.txt", kakao, seoul(2024, 8, 30, 22, 15, 30)),
        ("sdcard/Download/계약서_최종.txt", contract, seoul(2024, 8, 29, 9, 31, 20)),
        ("sdcard/Download/Telegram/photo_1@28-08-2024_15-12-03.jpg", tg_copy, seoul(2024, 8, 28, 15, 12, 5)),
        ("sdcard/Android/data/com.example.notes/files/backup.tar.gz", backup, t_backup),
        # Media hash demo (issue 5): the concert picture re-shared rotated and shrunk (new bytes,
        # same content), appended last so earlier entry numbers stay put.
        ("sdcard/Pictures/Edited/concert_rot90.jpg", cjpeg(ppm_rot90(concert), 85), seoul(2024, 8, 31, 11, 0, 0)),
        ("sdcard/Pictures/Edited/concert_small.jpg", cjpeg(ppm_half(concert), 70), seoul(2024, 8, 31, 11, 2, 0)),
    ]
    known_bad_lists(concert, tg_copy)
    (HERE / "phone-dump.zip").write_bytes(build_phone(phone))

    result = telegram_result(len(tg_copy))
    exp = "Telegram Desktop/ChatExport_2024-08-30/"
    pc_files = {exp + "result.json": result, exp + "photos/photo_1@28-08-2024_15-12-03.jpg": tg_copy,
                "Downloads/photo_1@28-08-2024_15-12-03.jpg": tg_copy}
    with tempfile.TemporaryDirectory() as td:
        root = Path(td) / "pc"
        members = write_members(root, pc_files)
        t_exp = seoul(2024, 8, 30, 22, 30, 0)
        mt = {m: t_exp for m in members}
        mt["Downloads/photo_1@28-08-2024_15-12-03.jpg"] = mt["Downloads"] = seoul(2024, 8, 28, 15, 20, 0)
        (HERE / "pc-export.tar.gz").write_bytes(gnu_tar_gz(root, members, mt))

    manifest = {
        "phone-dump.zip": [{"path": n, "sha256": sha(d), "size": len(d), "mtime_utc":
                            __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(t))}
                           for n, d, t in phone]
        + [{"path": "sdcard/Android/data/com.example.notes/files/backup.tar.gz!/" + k, "sha256": sha(v), "size": len(v)}
           for k, v in backup_files.items()],
        "pc-export.tar.gz": [{"path": k, "sha256": sha(v), "size": len(v)} for k, v in pc_files.items()],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    total = sum((HERE / f).stat().st_size for f in ("phone-dump.zip", "pc-export.tar.gz"))
    print(f"phone-dump.zip + pc-export.tar.gz = {total} bytes")


if __name__ == "__main__":
    main()
