#!/usr/bin/env python3
"""Writes a synthetic Cellebrite-style UFDR report of an invented iPhone: a zip whose `report.xml`
lists each file with its original device path (`<file path=…>`) and the member holding it (metadata
item "Local Path", Windows-style), the files re-sorted under `files/<Category>/`, plus
`<extractionInfo>`, device metadata and a decoded-data section. Shape from public descriptions
(shared/FORMATS-mobile.md §1.1); the content is invented. Deterministic.

    python3 make_ufdr.py OUT.ufdr [--hostile | --dtd | --malformed | --huge MIB]

--hostile: a carved file without a device path, a deleted file, a Local Path with `..`, two report
entries naming one member, a member name with a leading `/`, a member named `../escape/climb.txt`
(and a Local Path naming it).
--dtd: report.xml declares a DOCTYPE with an external entity (must be refused, never fetched).
--malformed: report.xml is cut in the middle.
--huge MIB: report.xml is padded (an XML comment of spaces before </project>) to about MIB MiB; it is
streamed into the zip (deflated, so the zip stays small).
"""
import sqlite3
import sys
import tempfile
import os
import zipfile

WHEN = (2024, 8, 30, 13, 0, 0)


def sqlite_bytes():
    fd, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(fd); os.remove(path)
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    c.execute("INSERT INTO ZWAMESSAGE (ZTEXT) VALUES ('synthetic')")
    c.commit(); c.close()
    data = open(path, "rb").read(); os.remove(path)
    return data


def main(out, mode, huge=0):
    files = [
        ("/private/var/mobile/Containers/Shared/AppGroup/0A1B2C3D-0000-4000-8000-000000000001/ChatStorage.sqlite",
         "files\\Database\\ChatStorage.sqlite", "files/Database/ChatStorage.sqlite", sqlite_bytes(), "Intact"),
        ("/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG", "files\\Image\\IMG_0002.JPG", "files/Image/IMG_0002.JPG",
         b"\xff\xd8\xff\xe1 camera roll bytes", "Intact"),
    ]
    members = {m: d for _, _, m, d, _ in files}
    entries = [(p, lp, dl) for p, lp, _, _, dl in files]
    if mode == "--hostile":
        members["files/Image/carved_0001.jpg"] = b"\xff\xd8 carved"
        entries.append((None, "files\\Image\\carved_0001.jpg", "Deleted"))
        members["files/Image/deleted.jpg"] = b"\xff\xd8 deleted"
        entries.append(("/private/var/mobile/Media/DCIM/100APPLE/IMG_0003.JPG", "files\\Image\\deleted.jpg", "Deleted"))
        entries.append(("/private/var/mobile/escape.txt", "..\\..\\etc\\passwd", "Intact"))
        entries.append(("/private/var/mobile/Media/DCIM/100APPLE/DUP.JPG", "files\\Image\\IMG_0002.JPG", "Intact"))
        members["/files/Text/leading_slash.txt"] = b"leading slash member\n"
        entries.append(("/private/var/mobile/Documents/leading.txt", "/files/Text/leading_slash.txt", "Intact"))
        members["../escape/climb.txt"] = b"member name that climbs\n"
        entries.append(("/private/var/mobile/Documents/climb.txt", "..\\escape\\climb.txt", "Intact"))
    xml = ['<?xml version="1.0" encoding="utf-8"?>']
    if mode == "--dtd":
        xml.append('<!DOCTYPE project [<!ENTITY ext SYSTEM "http://127.0.0.1:9/should-never-be-fetched">]>')
    xml.append('<project id="synthetic" name="Synthetic UFDR" reportVersion="7.0" xmlns="http://pa.cellebrite.com/report/2.0">')
    xml.append('<sourceExtractions><extractionInfo id="0" name="Advanced Logical" isCustomName="False" type="FileSystem" '
               'deviceName="서연의 iPhone" fullName="Apple iPhone 13 mini" index="0" IsPartialData="False" /></sourceExtractions>')
    xml.append('<metadata section="Additional Fields"><item name="DeviceInfoSelectedManufacturer"><![CDATA[Apple]]></item>'
               '<item name="DeviceInfoSelectedDeviceName"><![CDATA[iPhone 13 mini]]></item></metadata>')
    xml.append('<taggedFiles>')
    for i, (path, local, deleted) in enumerate(entries):
        attr = f' path="{path}"' if path else ''
        xml.append(f'<file fs="iPhone" fsid="fs0" id="f{i}" extractionId="0" deleted="{deleted}"{attr}>'
                   f'<metadata section="File"><item name="Local Path"><![CDATA[{local}]]></item></metadata></file>')
    xml.append('</taggedFiles>')
    xml.append('<decodedData><modelType type="Chat"><model type="Chat" id="c1"><field name="Source"><value type="String">WhatsApp</value></field></model></modelType></decodedData>')
    if mode == "--dtd":
        xml.append('<extra>&ext;</extra>')
    xml.append('</project>')
    report = "\n".join(xml).encode()
    if mode == "--malformed":
        report = report[: len(report) * 2 // 3]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        if huge:
            head, tail = report.rsplit(b"</project>", 1)
            info = zipfile.ZipInfo("report.xml", date_time=WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as w:
                w.write(head + b"<!--")
                block = b" " * (1 << 20)
                for _ in range(huge):
                    w.write(block)
                w.write(b"-->\n</project>" + tail)
        for name, data in ([] if huge else [("report.xml", report)]) + sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    mode = sys.argv[2] if len(sys.argv) > 2 else ""
    main(sys.argv[1], mode, int(sys.argv[3]) if mode == "--huge" else 0)
