"""Reads the answer keys of the SQLite forensic corpus (Nemetz, Schmitt, Freiling; DFRWS-EU 2018
and its anti-forensic v2.0 extension; CC0) into the benchmark's truth rows.

How the XML keys are read (docs/recovery.md): each <element> whose <meta><type> is `table` gives
the table name (<meta><name>), whether the table itself was dropped (<meta><deleted>True), the
column names and <columnTypeName> (INTEGER, REAL, TEXT) in order; every <row deleted="1"> is one
truth row, its <column><content> texts converted by the column type the way SQLite's affinity
would store them (INTEGER: an integer if the text is one, else a real if it is one, else text;
REAL: a real; TEXT: text; a column absent from the row or without content: NULL); every row of a
dropped table counts as deleted even where the key forgot to mark it (0A-04). Keys that do not
parse as XML are skipped and counted. A row is "recoverable" when its record body (values encoded as
SQLite stores them, in the database's text encoding) still occurs in the file: whole for bodies up
to 64 bytes, else its first and last 32 bytes. Only databases with deleted rows are used.
"""
import glob, os, struct
import xml.etree.ElementTree as ET


def encode_value(v, enc):
    if v is None:
        return [b""]
    if isinstance(v, int) and not isinstance(v, bool):
        if v in (0, 1):
            return [b"", bytes([v])]
        for n in (1, 2, 3, 4, 6, 8):
            lo, hi = -(1 << (8 * n - 1)), (1 << (8 * n - 1)) - 1
            if lo <= v <= hi:
                return [v.to_bytes(n, "big", signed=True)]
        return [b""]
    if isinstance(v, float):
        out = [struct.pack(">d", v)]
        if v.is_integer() and abs(v) < 2**63:
            out += encode_value(int(v), enc)
        return out
    s = str(v)
    return [s.encode({1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}.get(enc, "utf-8"))]


def convert(text, ctype):
    if text is None:
        return None
    if ctype == "INTEGER":
        try:
            return int(text)
        except ValueError:
            try:
                f = float(text)
                return int(f) if f.is_integer() and abs(f) < 2**63 else f
            except ValueError:
                return text
    if ctype == "REAL":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def recoverable(values, blob, enc):
    body = b"".join(encode_value(v, enc)[0] for v in values)
    if len(body) < 4:
        return True
    if len(body) <= 64:
        if body in blob:
            return True
        # REAL columns with integral values are stored as integers: try that spelling too.
        alt = b"".join(encode_value(v, enc)[-1] for v in values)
        return alt in blob
    return body[:32] in blob and body[-32:] in blob


def nemetz_cases(root):
    cases, skipped = [], 0
    for xml in sorted(glob.glob(os.path.join(root, "**", "*.xml"), recursive=True)):
        db = xml[:-4] + ".db"
        if not os.path.exists(db):
            db = xml[:-4] + "_antifor.db"   # the v2.0 anti-forensic set (11-19)
        if not os.path.exists(db):
            continue
        try:
            tree = ET.parse(xml)
        except ET.ParseError:
            skipped += 1
            continue
        with open(db, "rb") as f:
            blob = f.read()
        enc = int.from_bytes(blob[56:60], "big") if len(blob) >= 60 else 1
        truth = []
        for el in tree.getroot().iter("element"):
            meta = el.find("meta")
            if meta is None or (meta.findtext("type") or "").strip() != "table":
                continue
            name = (meta.findtext("name") or "").strip()
            dropped = (meta.findtext("deleted") or "").strip() == "True"
            cols = [((c.findtext("meta/name") or "").strip(), (c.findtext("columnTypeName") or "").strip())
                    for c in el.iter("columnDefinition")]
            for row in el.iter("row"):
                # Some keys mark a dropped table deleted but not its rows (0A-04): every row of a
                # dropped table is deleted.
                if row.get("deleted") != "1" and not dropped:
                    continue
                got = {}
                for c in row.iter("column"):
                    got[(c.findtext("name") or "").strip()] = c.findtext("content")
                values = [convert(got.get(cn), ct) for cn, ct in cols]
                truth.append({"table": name, "rowid": None, "values": values, "dropped": dropped,
                              "recoverable": recoverable(values, blob, enc)})
        if truth:
            rel = os.path.relpath(db, root)
            cases.append(("nemetz/" + os.path.basename(db)[:-3], db, [], truth, False))
    if skipped:
        print(f"nemetz: {skipped} answer key(s) did not parse and were skipped")
    return cases
