#!/usr/bin/env python3
"""Builds the media-hash fixtures in corpora/media/ (run from the repository root).

Source pictures are procedural scenes drawn here (gradients, shapes, text; never photos of
people). Every transformed copy is made by a real encoder: ImageMagick `convert`, `cwebp`,
`heif-enc`, `ffmpeg`. Golden PDQ values come from PyPI `pdqhash` over a full-resolution decode
(Pillow, no EXIF orientation applied; HEIC decoded by `heif-convert` to PNG first; video frames
extracted by ffmpeg at 1 fps), reading pdqhash's bit array in order with index 0 as the most
significant bit. Outputs: images/, videos/, hashsets/, golden.json. Needs: python3 with Pillow,
numpy, pdqhash; imagemagick, webp, libheif-examples, ffmpeg and exiftool
(libimage-exiftool-perl) for the CMYK set. `--cmyk-only` adds the CMYK set to the committed files.
"""
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.abspath(__file__))
IMG = os.path.join(ROOT, "images")
VID = os.path.join(ROOT, "videos")
SETS = os.path.join(ROOT, "hashsets")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def scene(seed, w=800, h=600):
    """A procedural picture: a two-colour gradient, seeded shapes and a caption."""
    rnd = random.Random(seed)
    a = np.array([rnd.randrange(256) for _ in range(3)], dtype=np.float32)
    b = np.array([rnd.randrange(256) for _ in range(3)], dtype=np.float32)
    angle = rnd.random() * 6.28
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    arr = (a[None, None, :] * (1 - t[..., None]) + b[None, None, :] * t[..., None]).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(14):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        x1, y1 = x0 + rnd.randrange(40, 300), y0 + rnd.randrange(40, 240)
        col = tuple(rnd.randrange(256) for _ in range(3))
        kind = rnd.randrange(3)
        if kind == 0:
            d.rectangle([x0, y0, x1, y1], fill=col)
        elif kind == 1:
            d.ellipse([x0, y0, x1, y1], fill=col)
        else:
            d.polygon([(x0, y0), (x1, y0 + rnd.randrange(-80, 80)), (x0 + rnd.randrange(-80, 80), y1)], fill=col)
    font = ImageFont.truetype(FONT, 48)
    d.text((rnd.randrange(20, w // 3), rnd.randrange(20, h - 80)), f"SCENE {seed}", fill=(255, 255, 255), font=font)
    return img


def pdq_of(path):
    """Reference PDQ of a file: hex (bit array index 0 = most significant bit) and quality."""
    if path.endswith(".heic"):
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "x.png")
            run("heif-convert", path, png)
            return pdq_of(png)
    img = Image.open(path)
    img.seek(0)
    arr = np.asarray(img.convert("RGB"))
    bits, quality = pdqhash.compute(arr)
    return bits_hex(bits), int(quality)


def bits_hex(bits):
    return "%064x" % int("".join(str(int(b)) for b in bits), 2)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def sha1(path):
    return hashlib.sha1(open(path, "rb").read()).hexdigest()


# Transforms of each source: name → (output suffix, command builder, expected to match).
def transforms(src, out):
    c = lambda *a: ["convert", src, *a, out]
    return {
        "q30.jpg": c("-quality", "30"),
        "q50.jpg": c("-quality", "50"),
        "q75.jpg": c("-quality", "75"),
        "q95.jpg": c("-quality", "95"),
        "resize25.jpg": c("-resize", "25%", "-quality", "90"),
        "resize50.jpg": c("-resize", "50%", "-quality", "90"),
        "resize200.jpg": c("-resize", "200%", "-quality", "85"),
        # 5 % of the area cut away (97.5 % of each side), and about 10 % (95 % of each side).
        "crop5.jpg": c("-gravity", "center", "-crop", "97.5%x97.5%+0+0", "+repage", "-quality", "90"),
        "crop10.jpg": c("-gravity", "center", "-crop", "95%x95%+0+0", "+repage", "-quality", "90"),
        "rot90.jpg": c("-rotate", "90", "-quality", "90"),
        "rot180.jpg": c("-rotate", "180", "-quality", "90"),
        "rot270.jpg": c("-rotate", "270", "-quality", "90"),
        "flip-v.jpg": c("-flip", "-quality", "90"),
        "flip-h.jpg": c("-flop", "-quality", "90"),
        "transpose.jpg": c("-transpose", "-quality", "90"),
        "watermark.jpg": c("-gravity", "southeast", "-fill", "white", "-pointsize", "36", "-annotate", "+10+10",
                           "CONFIDENTIAL", "-quality", "90"),
        "conv.png": c(),
        "conv.webp": ["cwebp", "-quiet", "-q", "80", src, "-o", out],
        "conv.heic": ["heif-enc", "-q", "80", src, "-o", out],
        "conv.gif": c(),
        "conv.bmp": c("-type", "TrueColor", "BMP3:" + out)[:-1],
        "conv.tif": c("-compress", "lzw"),
    }


def main():
    for d in (IMG, VID, SETS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    golden = {"reference": "pdqhash " + getattr(pdqhash, "__version__", "?") + " (PyPI), full-resolution Pillow decode",
              "images": {}, "dihedral": {}, "videos": {}}
    known, unrelated = [1, 2, 3], [11, 12, 13]
    with tempfile.TemporaryDirectory() as tmp:
        for seed in known + unrelated:
            src = os.path.join(tmp, f"scene{seed}.png")
            scene(seed).save(src)
            orig = os.path.join(IMG, f"scene{seed}-orig.jpg")
            run("convert", src, "-quality", "92", orig)
            h, q = pdq_of(orig)
            golden["images"][os.path.basename(orig)] = {"pdq": h, "quality": q, "source": seed, "transform": "orig"}
            arr = np.asarray(Image.open(orig).convert("RGB"))
            hashes, _ = pdqhash.compute_dihedral(arr)
            golden["dihedral"][os.path.basename(orig)] = [bits_hex(x) for x in hashes]
            if seed not in known:
                continue
            for name, cmd in transforms(orig, "").items():
                # Only the first source gets every transform; the others get a representative few
                # (keeps the corpus small).
                if seed != 1 and name not in ("q50.jpg", "resize50.jpg", "rot90.jpg", "conv.webp", "conv.png"):
                    continue
                out = os.path.join(IMG, f"scene{seed}-{name}")
                cmd = [out if x == "" else x for x in transforms(orig, out)[name]]
                run(*cmd)
                h, q = pdq_of(out)
                golden["images"][os.path.basename(out)] = {"pdq": h, "quality": q, "source": seed, "transform": name}
        # Videos from an image sequence: each known scene for 2 s at 25 fps, 8 s in all.
        frames = os.path.join(tmp, "frames")
        os.makedirs(frames)
        n = 0
        for seed in known + [1]:
            img = scene(seed, 640, 480)
            for _ in range(50):
                img.save(os.path.join(frames, f"f{n:04d}.png"))
                n += 1
        seq = ["-framerate", "25", "-i", os.path.join(frames, "f%04d.png")]
        ff = lambda *a: run("ffmpeg", "-y", "-loglevel", "error", *a)
        ff(*seq, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", os.path.join(VID, "slideshow.mp4"))
        ff(*seq, "-c:v", "libx264", "-pix_fmt", "yuv420p", os.path.join(VID, "slideshow.mov"))
        ff(*seq, "-c:v", "libx264", "-pix_fmt", "yuv420p", os.path.join(VID, "slideshow.mkv"))
        ff(*seq, "-c:v", "libvpx-vp9", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8",
           os.path.join(VID, "slideshow.webm"))
        ff(*seq, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-vf", "scale=352:288", "-f", "3gp", os.path.join(VID, "slideshow.3gp"))
        ff(*seq, "-c:v", "mpeg4", "-q:v", "4", os.path.join(VID, "slideshow.avi"))
        # Telegram round video: square 384×384 MP4, H.264, no audio track.
        ff(*seq, "-vf", "crop=480:480,scale=384:384", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an",
           "-movflags", "+faststart", os.path.join(VID, "round.mp4"))
        # Truncated/corrupt: the first 55 % of the MP4, and a copy with garbage over the middle.
        data = open(os.path.join(VID, "slideshow.mp4"), "rb").read()
        open(os.path.join(VID, "truncated.mp4"), "wb").write(data[: len(data) * 55 // 100])
        bad = bytearray(data)
        mid = len(bad) // 2
        bad[mid:mid + 4096] = bytes(random.Random(7).randrange(256) for _ in range(4096))
        open(os.path.join(VID, "corrupt.mp4"), "wb").write(bytes(bad))
        # An unrelated video (unrelated scenes).
        frames2 = os.path.join(tmp, "frames2")
        os.makedirs(frames2)
        n = 0
        for seed in unrelated:
            img = scene(seed, 640, 480)
            for _ in range(50):
                img.save(os.path.join(frames2, f"f{n:04d}.png"))
                n += 1
        ff("-framerate", "25", "-i", os.path.join(frames2, "f%04d.png"), "-c:v", "libx264", "-pix_fmt", "yuv420p",
           os.path.join(VID, "unrelated.mp4"))
        # vPDQ golden of the known sequence: one frame per second of the lossless source frames.
        vpdq = []
        for sec in range(8):
            h, q = pdq_of(os.path.join(frames, f"f{sec * 25:04d}.png"))
            vpdq.append((sec * 25, q, h, float(sec)))
        golden["videos"]["slideshow"] = [{"frame": f, "quality": q, "pdq": h, "time": t} for f, q, h, t in vpdq]
        with open(os.path.join(SETS, "known-video.vpdq"), "w") as fh:
            for f, q, h, t in vpdq:
                fh.write(f"{f},{q},{h},{t:.3f}\n")
    make_cmyk(golden)
    write_hashsets(golden)
    with open(os.path.join(ROOT, "golden.json"), "w") as fh:
        json.dump(golden, fh, indent=1, sort_keys=True)
        fh.write("\n")


def make_cmyk(golden):
    """CMYK JPEGs of the known scenes (issue 14 item 6). ImageMagick `-colorspace CMYK` writes
    an Adobe APP14 marker with transform 2 (YCCK) and inverted samples; Pillow (libjpeg) writes
    plain CMYK, Adobe transform 0, inverted; ExifTool then removes the Adobe segment from a copy
    of the latter (Pillow still reads the samples as inverted, and so do we)."""
    for seed in (1, 2):
        orig = os.path.join(IMG, f"scene{seed}-orig.jpg")
        out = os.path.join(IMG, f"scene{seed}-cmyk.jpg")
        run("convert", orig, "-colorspace", "CMYK", "-quality", "90", out)
        outs = [(out, "cmyk.jpg")]
        if seed == 1:
            cmyk0 = os.path.join(IMG, "scene1-cmyk-adobe0.jpg")
            Image.open(out).save(cmyk0, quality=90)
            plain = os.path.join(IMG, "scene1-cmyk-noadobe.jpg")
            run("exiftool", "-q", "-Adobe:All=", "-o", plain, cmyk0)
            outs += [(cmyk0, "cmyk-adobe0.jpg"), (plain, "cmyk-noadobe.jpg")]
        for path, name in outs:
            h, q = pdq_of(path)
            golden["images"][os.path.basename(path)] = {"pdq": h, "quality": q, "source": seed, "transform": name}


def write_hashsets(golden):
    """Hash sets in every supported format, naming the known originals, plus malformed twins."""
    origs = [f"scene{s}-orig.jpg" for s in (1, 2, 3)]
    paths = [os.path.join(IMG, o) for o in origs]
    w = lambda name, text: open(os.path.join(SETS, name), "w").write(text)
    w("pdq-list.txt", "# PDQ of the known originals: hash,quality,label\n" +
      "".join(f"{golden['images'][o]['pdq']},{golden['images'][o]['quality']},{o}\n" for o in origs))
    w("pdq-list-bad.txt", f"{golden['images'][origs[0]]['pdq']}\nnot-a-hash\n{'z' * 64}\n{golden['images'][origs[1]]['pdq'][:60]}\n")
    w("plain-md5.txt", "# known-bad MD5\n" + "".join(md5(p) + "\n" for p in paths))
    w("plain-sha1.txt", "".join(sha1(p).upper() + "\n" for p in paths))
    w("plain-sha256.txt", "# sha256\n" + "".join(sha256(p) + "\n" for p in paths))
    w("plain-bad.txt", md5(paths[0]) + "\nxyz\n" + "0" * 31 + "\n\n" + "g" * 32 + "\n")
    w("md5sum.txt", "".join(f"{md5(p)}  {os.path.basename(p)}\n" for p in paths))
    w("md5sum-bad.txt", f"{md5(paths[0])}  {os.path.basename(paths[0])}\n{md5(paths[1])[:20]}  short.jpg\nno-hash-here\n")
    w("sha256sum.txt", "".join(f"{sha256(p)} *{os.path.basename(p)}\n" for p in paths))
    w("hashdeep.txt", "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /cases\n## $ hashdeep -c md5,sha256 -r .\n##\n" +
      "".join(f"{os.path.getsize(p)},{md5(p)},{sha256(p)},./{os.path.basename(p)}\n" for p in paths))
    w("hashdeep-bad.txt", "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n12,abc,def,./x\n" +
      f"{os.path.getsize(paths[0])},{md5(paths[0])},{sha256(paths[0])},./a\nnot,enough\n")
    media = [{"MediaID": i + 1, "Category": 1 if i < 2 else 2, "MD5": md5(p).upper(), "SHA1": sha1(p).upper(),
              "MediaSize": os.path.getsize(p), "DateUpdated": "2024-05-01T00:00:00Z", "IsPrecategorized": True,
              "VictimIdentified": False, "OffenderIdentified": False, "Series": "", "Tags": [],
              "AlternativeHashes": [{"HashName": "SHA256", "HashValue": sha256(p)},
                                    {"HashName": "PDQ", "HashValue": golden["images"][origs[i]]["pdq"]}]}
             for i, p in enumerate(paths)]
    v2 = {"@odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Media", "value": media}
    v1 = {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml/US/$metadata#Media",
          "value": [{k: m[k] for k in ("MediaID", "Category", "MD5", "SHA1", "MediaSize")} for m in media]}
    cases = {"@odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
             "value": [{"CaseID": 1, "CaseNumber": "PV-1", "Media": media[:2]}, {"CaseID": 2, "Media": media[2:]}]}
    w("vics-v2-media.json", json.dumps(v2, indent=1))
    w("vics-v1.json", json.dumps(v1, indent=1))
    w("vics-v2-cases.json", json.dumps(cases, indent=1))
    w("vics-bad.json", json.dumps(v2, indent=1)[:700])
    w("vics-v1-bad.json", json.dumps({"odata.metadata": v1["odata.metadata"], "value": [{"MediaID": 9, "MD5": "xyz"}, 42]}))
    ns = "https://hashsharing.ncmec.org/hashsharing/v2"
    items = "".join(f"  <image><id>{i + 100}</id><classification>A1</classification><fingerprints><md5>{md5(p)}</md5>"
                    f"<sha1>{sha1(p)}</sha1><pdq>{golden['images'][origs[i]]['pdq']}</pdq></fingerprints></image>\n"
                    for i, p in enumerate(paths))
    w("ncmec.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<queryResult xmlns="{ns}">\n <images>\n{items} </images>\n</queryResult>\n')
    w("ncmec-bad.xml", f'<?xml version="1.0"?>\n<queryResult xmlns="{ns}"><images><image><id>1</id><fingerprints><md5>zz</md5>'
                       f'</fingerprints></image><image><fingerprints><md5>{md5(paths[0])}</md5></finger')
    w("vpdq-bad.vpdq", "0,100,abc,0.0\nnot a line\n")
    db = os.path.join(SETS, "nsrl-rds.db")
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE MFG (manufacturer_id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE OS (operating_system_id INTEGER PRIMARY KEY, name TEXT, version TEXT, manufacturer_id INTEGER);
        CREATE TABLE PKG (package_id INTEGER PRIMARY KEY, name TEXT, version TEXT, operating_system_id INTEGER,
                          manufacturer_id INTEGER, language TEXT, application_type TEXT);
        CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER);
        CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5 FROM FILE;
        INSERT INTO MFG VALUES (1, 'Example OS Vendor');
        INSERT INTO OS VALUES (1, 'ExampleOS', '1.0', 1);
        INSERT INTO PKG VALUES (1, 'Wallpapers', '1.0', 1, 1, 'English', 'Operating System');
    """)
    # The unrelated scenes play the part of operating-system wallpapers: known-good.
    for s in (11, 12, 13):
        p = os.path.join(IMG, f"scene{s}-orig.jpg")
        con.execute("INSERT INTO FILE VALUES (?, ?, ?, '00000000', ?, ?, 1)",
                    (sha256(p).upper(), sha1(p).upper(), md5(p).upper(), os.path.basename(p), os.path.getsize(p)))
    con.commit()
    con.close()
    bad = sqlite3.connect(os.path.join(SETS, "nsrl-bad.db"))
    bad.executescript("CREATE TABLE NOTNSRL (x TEXT); INSERT INTO NOTNSRL VALUES ('y');")
    bad.commit()
    bad.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["--cmyk-only"]:
        # Adds the CMYK/YCCK JPEGs and their goldens to the committed set (nothing else rewritten).
        g = json.load(open(os.path.join(ROOT, "golden.json")))
        make_cmyk(g)
        with open(os.path.join(ROOT, "golden.json"), "w") as fh:
            json.dump(g, fh, indent=1, sort_keys=True)
            fh.write("\n")
    elif sys.argv[1:] == ["--hashsets-only"]:
        # Rewrites hashsets/ from the committed images and golden.json (encoders untouched).
        write_hashsets(json.load(open(os.path.join(ROOT, "golden.json"))))
    else:
        sys.exit(main())
