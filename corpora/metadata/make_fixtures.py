#!/usr/bin/env python3
"""Writes every fixture under corpora/metadata/ and its ExifTool golden (<fixture>.exiftool.json).

Procedural images only (gradients and shapes), encoded with Pillow / libtiff's tiffcp / libheif /
ffmpeg and tagged with ExifTool; hostile variants are made by editing those bytes. Goldens:
`exiftool -j -n -G1 <fixture>` (version recorded in README.md). `expected.json` lists, per fixture,
the indicator kinds that must (and only they may) be flagged and the warning codes that must appear.
Run from anywhere:  python3 corpora/metadata/make_fixtures.py
"""
import json, os, shutil, struct, subprocess, sys, tempfile, zlib
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="metafix-")
EXPECTED = {}

def run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def picture(w=96, h=64, seed=0):
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = ((x * 255 // w + seed * 40) % 256, (y * 255 // h) % 256, ((x + y + seed * 17) * 3) % 256)
    d = ImageDraw.Draw(im)
    d.ellipse((w // 4, h // 4, w // 2, h // 2 + 8), fill=(20, 200 - seed * 10, 90))
    d.rectangle((w // 2, h // 3, w - 10, h - 8), outline=(250, 250, 250))
    return im

def path(name):
    p = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p

def exiftool(target, *tags):
    run("exiftool", "-q", "-overwrite_original", *tags, target)

def expect(name, indicators=(), warnings=(), zone="Asia/Seoul"):
    EXPECTED[name] = {"indicators": sorted(indicators), "warnings": sorted(warnings), "zone": zone}

CAMERA = ["-Make=Exhibit Optics", "-Model=EX-100", "-SerialNumber=SN0042", "-LensModel=EX 24-70mm",
          "-ImageUniqueID=0123456789abcdef0123456789abcdef", "-Orientation#=1"]

# --- JPEG -------------------------------------------------------------------------------------
def jpegs():
    thumb = os.path.join(TMP, "thumb.jpg")
    picture(32, 24, 5).save(thumb, quality=80)
    # Little-endian (II), offset present, GPS north/east, thumbnail in IFD1.
    p = path("jpeg/camera-le.jpg"); picture(seed=1).save(p, quality=90)
    exiftool(p, "-ExifByteOrder=Little-endian", *CAMERA, "-Software=Exhibit Firmware 1.2",
             "-DateTimeOriginal=2024:08:28 15:12:03", "-OffsetTimeOriginal=+09:00", "-SubSecTimeOriginal=250",
             "-CreateDate=2024:08:28 15:12:03", "-OffsetTimeDigitized=+09:00", "-ModifyDate=2024:08:29 10:00:00",
             "-OffsetTime=+09:00",
             "-GPSLatitude=37.5665", "-GPSLatitudeRef=N", "-GPSLongitude=126.978", "-GPSLongitudeRef=E",
             "-GPSAltitude=38.5", "-GPSAltitudeRef=0", "-GPSDateStamp=2024:08:28", "-GPSTimeStamp=06:12:04",
             "-UserComment=caf\u00e9 \ud55c\uae00", f"-ThumbnailImage<={thumb}")
    expect("jpeg/camera-le.jpg")
    # Big-endian (MM), naive camera time (assumed zone), GPS south/west.
    p = path("jpeg/camera-be.jpg"); picture(seed=2).save(p, quality=85)
    exiftool(p, "-ExifByteOrder=Big-endian", *CAMERA, "-Software=GIMP 2.10.34",
             "-DateTimeOriginal=2023:01:15 09:30:00", "-CreateDate=2023:01:15 09:30:00",
             "-GPSLatitude=33.8688", "-GPSLatitudeRef=S", "-GPSLongitude=151.2093", "-GPSLongitudeRef=W",
             "-GPSDateStamp=2023:01:15", "-GPSTimeStamp=00:30:10")
    expect("jpeg/camera-be.jpg")
    # Camera clock 2 h 5 min ahead of GPS time.
    p = path("jpeg/clock-skew.jpg"); picture(seed=3).save(p, quality=85)
    exiftool(p, *CAMERA, "-Software=Exhibit Firmware 1.2", "-DateTimeOriginal=2024:08:28 17:17:00",
             "-OffsetTimeOriginal=+09:00", "-GPSLatitude=35.1796", "-GPSLatitudeRef=N", "-GPSLongitude=129.0756",
             "-GPSLongitudeRef=E", "-GPSDateStamp=2024:08:28", "-GPSTimeStamp=06:12:00")
    expect("jpeg/clock-skew.jpg", ["clock-discrepancy"])
    # XMP: IPTC DigitalSourceType trainedAlgorithmicMedia, edit history, photoshop:DateCreated.
    p = path("jpeg/ai-xmp.jpg"); picture(seed=4).save(p, quality=85)
    exiftool(p, "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
             "-XMP-xmp:CreatorTool=Adobe Firefly", "-XMP-photoshop:DateCreated=2024-08-28T15:12:03+09:00",
             "-XMP-xmpMM:HistoryAction=created", "-XMP-xmpMM:HistoryWhen=2024:08:28 15:12:03+09:00",
             "-XMP-xmpMM:HistorySoftwareAgent=Adobe Firefly", "-XMP-xmp:CreateDate=2024:08:28 15:12:03")
    expect("jpeg/ai-xmp.jpg", ["iptc-trained-algorithmic-media", "generator-software"])
    # Composite: edited with a generator, software named in EXIF too.
    p = path("jpeg/composite-ai.jpg"); picture(seed=6).save(p, quality=85)
    exiftool(p, "-Software=Stable Diffusion XL", "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia")
    expect("jpeg/composite-ai.jpg", ["iptc-trained-algorithmic-media", "generator-software"])
    # A fake C2PA manifest store in APP11 (JUMBF): jumb{jumd(c2pa), cbor with claim_generator}.
    p = path("jpeg/c2pa.jpg")
    src = os.path.join(TMP, "c2pa-src.jpg"); picture(seed=7).save(src, quality=85)
    data = open(src, "rb").read()
    open(p, "wb").write(data[:2] + app11_jumbf() + data[2:])
    expect("jpeg/c2pa.jpg", ["c2pa-manifest"])
    # Plain JPEG, nothing to flag.
    p = path("jpeg/plain.jpg"); picture(seed=8).save(p, quality=75)
    expect("jpeg/plain.jpg")

def box(t, payload):
    return struct.pack(">I", 8 + len(payload)) + t + payload

def jumbf_store():
    c2pa_uuid = b"c2pa" + bytes.fromhex("00110010800000aa00389b71")
    jumd = box(b"jumd", c2pa_uuid + b"\x03" + b"c2pa\x00")
    gen = b"ExhibitTest-Generator/1.0"
    cbor = b"\xa1" + bytes([0x60 + 15]) + b"claim_generator" + b"\x78" + bytes([len(gen)]) + gen
    return box(b"jumb", jumd + box(b"cbor", cbor))

def app11_jumbf():
    payload = b"JP" + struct.pack(">HI", 1, 1) + jumbf_store()
    return b"\xff\xeb" + struct.pack(">H", len(payload) + 2) + payload

# --- TIFF -------------------------------------------------------------------------------------
def tiffs():
    src = os.path.join(TMP, "src.tif"); picture(seed=9).save(src, compression=None)
    p = path("tiff/camera-be.tif")
    run("tiffcp", "-B", "-c", "none", src, p)  # libtiff-tools: rewrite big-endian (MM)
    exiftool(p, *CAMERA, "-Software=Exhibit Scanner 3", "-DateTimeOriginal=2024:02:29 23:59:59",
             "-OffsetTimeOriginal=-05:00", "-GPSLatitude=40.7128", "-GPSLatitudeRef=N", "-GPSLongitude=74.006",
             "-GPSLongitudeRef=W", "-GPSDateStamp=2024:03:01", "-GPSTimeStamp=05:00:01")
    expect("tiff/camera-be.tif")
    p = path("tiff/plain-le.tif"); picture(seed=10).save(p, compression=None)
    exiftool(p, "-Software=Exhibit Scanner 3", "-ModifyDate=2024:03:01 08:00:00")
    expect("tiff/plain-le.tif")

# --- PNG --------------------------------------------------------------------------------------
def pngs():
    p = path("png/exif.png"); picture(seed=11).save(p)
    exiftool(p, *CAMERA, "-Software=Exhibit Firmware 1.2", "-DateTimeOriginal=2024:08:28 15:12:03",
             "-OffsetTimeOriginal=+09:00", "-GPSLatitude=37.5665", "-GPSLatitudeRef=N", "-GPSLongitude=126.978",
             "-GPSLongitudeRef=E")
    expect("png/exif.png")
    info = PngInfo()
    info.add_text("parameters", "a lighthouse on a cliff at dusk, oil painting\nNegative prompt: blurry\n"
                  "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 96x64, Model: sd_xl_base_1.0")
    picture(seed=12).save(path("png/sd-parameters.png"), pnginfo=info)
    expect("png/sd-parameters.png", ["sd-parameters"])
    info = PngInfo()
    prompt = {"3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20}},
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}}}
    info.add_text("prompt", json.dumps(prompt))
    info.add_text("workflow", json.dumps({"last_node_id": 4, "nodes": [{"id": 3, "type": "KSampler"}]}), zip=True)
    picture(seed=13).save(path("png/comfyui.png"), pnginfo=info)
    expect("png/comfyui.png", ["comfyui-workflow"])
    p = path("png/xmp-ai.png"); picture(seed=14).save(p)
    exiftool(p, "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
    expect("png/xmp-ai.png", ["iptc-trained-algorithmic-media"])
    # caBX chunk (C2PA in PNG) inserted before IEND.
    src = os.path.join(TMP, "cabx.png"); picture(seed=15).save(src)
    data = open(src, "rb").read()
    body = jumbf_store()
    chunk = struct.pack(">I", len(body)) + b"caBX" + body + struct.pack(">I", zlib.crc32(b"caBX" + body) & 0xffffffff)
    open(path("png/c2pa.png"), "wb").write(data[:-12] + chunk + data[-12:])
    expect("png/c2pa.png", ["c2pa-manifest"])
    info = PngInfo(); info.add_itxt("Description", "한글 설명 — café", lang="ko")
    picture(seed=16).save(path("png/itxt-korean.png"), pnginfo=info)
    expect("png/itxt-korean.png")

# --- WebP, HEIC ------------------------------------------------------------------------------
def webp_heic():
    exif_src = os.path.join(TMP, "exif-src.jpg"); picture(seed=17).save(exif_src)
    exiftool(exif_src, *CAMERA, "-Software=Exhibit Firmware 1.2", "-DateTimeOriginal=2024:08:28 15:12:03",
             "-OffsetTimeOriginal=+09:00", "-GPSLatitude=37.5665", "-GPSLatitudeRef=N", "-GPSLongitude=126.978",
             "-GPSLongitudeRef=E")
    exif = Image.open(exif_src).info["exif"]
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Exhibit Editor 2"/>'
           b'</rdf:RDF></x:xmpmeta>')
    picture(seed=17).save(path("webp/exif-xmp.webp"), exif=exif, xmp=xmp, quality=80)
    expect("webp/exif-xmp.webp")
    src = os.path.join(TMP, "heic-src.png"); picture(128, 96, seed=18).save(src)
    p = path("heic/camera.heic")
    run("heif-enc", "-q", "60", "-o", p, src)
    exiftool(p, *CAMERA, "-Software=Exhibit Firmware 1.2", "-DateTimeOriginal=2024:08:28 15:12:03",
             "-OffsetTimeOriginal=+09:00", "-GPSLatitude=37.5665", "-GPSLatitudeRef=N", "-GPSLongitude=126.978",
             "-GPSLongitudeRef=E", "-GPSDateStamp=2024:08:28", "-GPSTimeStamp=06:12:03",
             "-XMP-xmp:CreatorTool=Exhibit Firmware 1.2")
    expect("heic/camera.heic")

# --- QuickTime / MP4 ---------------------------------------------------------------------------
def videos():
    base = ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
            "-c:v", "mpeg4", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1"]
    # ffmpeg writes the location as QuickTime `©xyz` in mov mode and as 3GPP `loci` in mp4 mode.
    run(*base, "-metadata", "creation_time=2024-08-28T06:12:03Z", "-metadata", "location=+51.4169-000.0806/",
        "-f", "mov", path("video/gps-xyz.mov"))
    expect("video/gps-xyz.mov")
    run(*base, "-metadata", "creation_time=2024-08-28T06:12:03Z", "-metadata", "location=+37.5665+126.9780/",
        path("video/gps-loci.mp4"))
    expect("video/gps-loci.mp4")
    run(*base, "-movflags", "use_metadata_tags", "-metadata", "creation_time=2024-08-28T06:12:03Z",
        "-metadata", "com.apple.quicktime.creationdate=2024-08-28T15:12:03+0900",
        "-metadata", "com.apple.quicktime.location.ISO6709=+37.5665+126.9780+012.000/",
        "-metadata", "com.apple.quicktime.make=Apple", "-metadata", "com.apple.quicktime.model=iPhone 15",
        "-metadata", "com.apple.quicktime.software=17.5.1", "-f", "mov", path("video/apple-keys.mov"))
    expect("video/apple-keys.mov")
    run(*base, "-f", "3gp", "-metadata", "creation_time=2023-01-15T00:30:00Z", path("video/plain.3gp"))
    expect("video/plain.3gp")

# --- Names (issue 14 item 7) -----------------------------------------------------------------------
def flir_fff(unix, millis, tz_minutes_west):
    """A FLIR FFF block as ExifTool documents it (FLIR.pm tag tables): 64-byte big-endian header
    ("FFF\\0", creator, version 100, directory offset and count), one 32-byte directory entry for
    record 0x20 (CameraInfo), and the CameraInfo record in little-endian (its first int16u is 2
    in the record's own byte order) with DateTimeOriginal at 0x384: int32u Unix time, int32u
    milliseconds, int16s minutes west of UTC."""
    rec = bytearray(0x400)
    struct.pack_into("<H", rec, 0, 2)
    struct.pack_into("<IIh", rec, 0x384, unix, millis, tz_minutes_west)
    head = bytearray(0x40)
    head[0:4] = b"FFF\0"
    head[4:12] = b"Exhibit\0"
    struct.pack_into(">IIII", head, 0x14, 100, 0x40, 1, 2)
    entry = struct.pack(">HHIIIIIII", 0x20, 1, 0x64, 1, 0x60, len(rec), 0, 0, 0)
    return bytes(head) + entry + bytes(rec)

def names():
    # XMP only, no EXIF block: dates and camera under their XMP names.
    p = path("jpeg/xmp-only.jpg"); picture(seed=6).save(p, quality=90)
    exiftool(p, "-XMP-xmp:CreateDate=2024:08:28 15:12:03+09:00", "-XMP-exif:DateTimeOriginal=2024:08:28 15:12:00+09:00",
             "-XMP-tiff:Make=Exhibit Optics", "-XMP-tiff:Model=EX-100", "-XMP-xmp:CreatorTool=Exhibit Editor 2")
    expect("jpeg/xmp-only.jpg")
    # FLIR APP1: the FFF block in two `FLIR\0` segments (byte 5 = 1, chunk number, last chunk number).
    p = path("jpeg/flir.jpg"); picture(seed=7).save(p, quality=90)
    data = open(p, "rb").read()
    fff = flir_fff(1724825523, 123, -540)  # 2024-08-28T06:12:03.123Z, shown at +09:00
    half = len(fff) // 2
    segs = b""
    for i, part in enumerate((fff[:half], fff[half:])):
        body = b"FLIR\0" + bytes([1, i, 1]) + part
        segs += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    open(p, "wb").write(data[:2] + segs + data[2:])
    expect("jpeg/flir.jpg")
    # MP4 QuickTime UserData `date` (ExifTool's UserData:DateTimeOriginal), header times by ffmpeg.
    run("ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
        "-c:v", "mpeg4", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
        "-metadata", "creation_time=2024-08-28T06:12:03Z", path("video/udta-date.mp4"))
    exiftool(path("video/udta-date.mp4"), "-UserData:DateTimeOriginal=2024:08:28 15:12:03+09:00")
    expect("video/udta-date.mp4")

# --- Hostile -----------------------------------------------------------------------------------
def tiff_in_jpeg(data):
    i = data.index(b"Exif\x00\x00") + 6
    return i, data[i:i + 2] == b"MM"

def hostile():
    src = open(path("jpeg/camera-le.jpg"), "rb").read()
    t, be = tiff_in_jpeg(src)
    e = ">" if be else "<"
    ifd0 = t + struct.unpack(e + "I", src[t + 4:t + 8])[0]
    n = struct.unpack(e + "H", src[ifd0:ifd0 + 2])[0]
    # IFD loop: IFD0's next-IFD pointer points back at IFD0.
    d = bytearray(src); d[ifd0 + 2 + 12 * n:ifd0 + 6 + 12 * n] = struct.pack(e + "I", ifd0 - t)
    open(path("hostile/ifd-loop.jpg"), "wb").write(d)
    expect("hostile/ifd-loop.jpg", warnings=["tiff-ifd-loop"])
    # Find the Make entry (0x010f) to corrupt its offset and count.
    for k in range(n):
        ent = ifd0 + 2 + 12 * k
        if struct.unpack(e + "H", src[ent:ent + 2])[0] == 0x010f: make = ent
    d = bytearray(src); d[make + 8:make + 12] = struct.pack(e + "I", 0x7fffff00)
    open(path("hostile/offset-outside.jpg"), "wb").write(d)
    expect("hostile/offset-outside.jpg", warnings=["tiff-offset-outside"])
    d = bytearray(src); d[make + 4:make + 8] = struct.pack(e + "I", 0xfffffff0)
    open(path("hostile/huge-count.jpg"), "wb").write(d)
    expect("hostile/huge-count.jpg", warnings=["tiff-offset-outside"])
    # XML entity bomb in the XMP packet.
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
            + b']><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            + b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&lol9;</dc:title></rdf:Description>'
            + b'</rdf:RDF></x:xmpmeta>')
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + bomb
    plain = open(path("jpeg/plain.jpg"), "rb").read()
    open(path("hostile/xmp-bomb.jpg"), "wb").write(plain[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + plain[2:])
    expect("hostile/xmp-bomb.jpg", warnings=["xmp-doctype"])
    # PNG chunk declaring more bytes than the file has.
    png = open(path("png/sd-parameters.png"), "rb").read()
    d = bytearray(png); d[33:37] = struct.pack(">I", 0x7ffffff0)
    open(path("hostile/png-huge-chunk.png"), "wb").write(d)
    expect("hostile/png-huge-chunk.png", warnings=["png-truncated"])
    # MP4 cut inside its moov (faststart puts moov first).
    full = os.path.join(TMP, "fast.mp4")
    run("ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-c:v", "mpeg4",
        "-fflags", "+bitexact", "-movflags", "+faststart", "-metadata", "creation_time=2024-08-28T06:12:03Z", full)
    mp4 = open(full, "rb").read()
    moov = mp4.index(b"moov") - 4
    open(path("hostile/truncated-moov.mp4"), "wb").write(mp4[:moov + 200])
    expect("hostile/truncated-moov.mp4", warnings=["bmff-truncated"])
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isommp41")
    # Box size 1 with a 64-bit size far beyond the file.
    open(path("hostile/box-size-huge.mp4"), "wb").write(
        ftyp + struct.pack(">I", 1) + b"moov" + struct.pack(">Q", 0x7fffffffffffff00) + box(b"mvhd", b"\x00" * 100))
    expect("hostile/box-size-huge.mp4", warnings=["bmff-truncated"])
    # Box size 0 (to end of file) on a moov, then a box whose size is smaller than its header.
    open(path("hostile/box-size-zero.mp4"), "wb").write(
        ftyp + struct.pack(">I", 0) + b"moov" + struct.pack(">I", 4) + b"trak" + b"\x00" * 32)
    expect("hostile/box-size-zero.mp4", warnings=["bmff-bad-size"])
    # 10,000 nested udta/meta-like boxes inside moov/trak.
    inner = b""
    for _ in range(2000):
        inner = box(b"trak", inner)
    open(path("hostile/deep-nesting.mp4"), "wb").write(ftyp + box(b"moov", inner))
    expect("hostile/deep-nesting.mp4")
    # Random bytes behind a JPEG signature.
    import random
    rnd = random.Random(4)
    open(path("hostile/random.jpg"), "wb").write(b"\xff\xd8\xff\xe1" + bytes(rnd.randrange(256) for _ in range(4000)))
    expect("hostile/random.jpg", warnings=["jpeg-truncated"])

# --- Documents ---------------------------------------------------------------------------------
def documents():
    import datetime, zipfile
    p = path("docs/report.pdf")
    picture(seed=19).save(p, title="Quarterly report", author="Kim Minji", subject="Exhibit test",
                          creator="Exhibit Writer 1.0", producer="Pillow PDF",
                          creationDate=datetime.datetime(2024, 8, 28, 6, 12, 3, tzinfo=datetime.timezone.utc).timetuple(),
                          modDate=datetime.datetime(2024, 8, 29, 1, 0, 0, tzinfo=datetime.timezone.utc).timetuple())
    # ExifTool writes an incremental update: a new Info object and the XMP packet.
    exiftool(p, "-PDF:Author=Lee Jisoo", "-PDF:ModifyDate=2024:08:29 10:00:00+09:00", "-XMP-xmp:CreatorTool=Exhibit Writer 1.0",
             "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")
    expect("docs/report.pdf")
    # The same PDF with its startxref pointing nowhere (broken xref).
    data = open(p, "rb").read()
    i = data.rindex(b"startxref") + len(b"startxref")
    j = data.index(b"%%EOF", i)
    open(path("hostile/broken-xref.pdf"), "wb").write(data[:i] + b"\n999999999\n" + data[j:])
    expect("hostile/broken-xref.pdf")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:title>계약서 초안</dc:title><dc:creator>Kim Minji</dc:creator><cp:lastModifiedBy>Lee Jisoo</cp:lastModifiedBy>'
            '<cp:revision>7</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">2024-08-28T06:12:03Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-08-29T01:00:00Z</dcterms:modified></cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           '<Template>Normal.dotm</Template><TotalTime>42</TotalTime><Pages>1</Pages><Words>12</Words>'
           '<Application>Microsoft Office Word</Application><Company>Exhibit Ltd</Company><AppVersion>16.0000</AppVersion></Properties>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>Exhibit</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path("docs/contract.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [("[Content_Types].xml", types), ("word/document.xml", doc),
                           ("docProps/core.xml", core), ("docProps/app.xml", app)]:
            z.writestr(zipfile.ZipInfo(name, (2024, 8, 28, 15, 12, 2)), text)
    expect("docs/contract.docx")
    meta = ('<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>'
            '<meta:generator>LibreOffice/7.4.7.2$Linux_X86_64</meta:generator><meta:initial-creator>Kim Minji</meta:initial-creator>'
            '<dc:creator>Lee Jisoo</dc:creator><meta:creation-date>2024-08-28T15:12:03</meta:creation-date>'
            '<dc:date>2024-08-29T10:00:00.5</dc:date><meta:editing-cycles>3</meta:editing-cycles>'
            '<meta:editing-duration>PT5M10S</meta:editing-duration><dc:title>Minutes</dc:title></office:meta></office:document-meta>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'office:version="1.3"><office:body><office:text/></office:body></office:document-content>')
    with zipfile.ZipFile(path("docs/minutes.odt"), "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (2024, 8, 28, 15, 12, 2)), "application/vnd.oasis.opendocument.text")
        for name, text in [("content.xml", content), ("meta.xml", meta)]:
            info = zipfile.ZipInfo(name, (2024, 8, 28, 15, 12, 2)); info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    expect("docs/minutes.odt")

def goldens():
    for name in sorted(EXPECTED):
        out = subprocess.run(["exiftool", "-j", "-n", "-G1", name], cwd=HERE, capture_output=True, text=True)
        doc = json.loads(out.stdout)[0]
        for k in ("ExifTool:ExifToolVersion", "System:FileModifyDate", "System:FileAccessDate",
                  "System:FileInodeChangeDate", "System:FilePermissions", "System:Directory"):
            doc.pop(k, None)
        with open(os.path.join(HERE, name + ".exiftool.json"), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True, ensure_ascii=False); f.write("\n")
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(EXPECTED, f, indent=1, sort_keys=True); f.write("\n")

if __name__ == "__main__":
    if sys.argv[1:] == ["--names-only"]:
        # Adds the item-7 fixtures (XMP-only, FLIR, UserData date) to the committed set.
        EXPECTED.update(json.load(open(os.path.join(HERE, "expected.json"))))
        names(); goldens(); shutil.rmtree(TMP)
        sys.exit(0)
    names()
    jpegs(); tiffs(); pngs(); webp_heic(); videos(); hostile(); documents(); goldens()
    shutil.rmtree(TMP)
    print("wrote", len(EXPECTED), "fixtures; exiftool", subprocess.run(["exiftool", "-ver"], capture_output=True, text=True).stdout.strip())
