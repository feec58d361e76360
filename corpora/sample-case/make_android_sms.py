#!/usr/bin/env python3
"""Writes corpora/sample-case/android-sms.zip: Jun-ho's phone's SMS store (a third evidence item for
`make demo`, read by the example plugin plugins/examples/android-sms). The database comes from that
plugin's make_fixture.py (python3 sqlite3); the zip is written with a fixed entry time so the
output is deterministic for a given SQLite version."""
import os
import subprocess
import sys
import tempfile
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
maker = os.path.join(root, "plugins", "examples", "android-sms", "make_fixture.py")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "android-sms.zip")
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "mmssms.db")
    subprocess.run([sys.executable, maker, db], check=True)
    with open(db, "rb") as fh:
        data = fh.read()
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("data/data/com.android.providers.telephony/databases/mmssms.db", date_time=(2024, 8, 29, 10, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    z.writestr(info, data)
