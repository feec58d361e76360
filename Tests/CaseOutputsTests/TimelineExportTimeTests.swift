import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Timesketch JSONL and CSV from the `timeline` view. Tagged `.timeZone`: `make test`
/// runs it again under UTC and Asia/Seoul, and the output must not depend on the machine's zone.
@Suite("Timeline export Time", .serialized, .tags(.timeZone))
struct TimelineExportTimeTests {
    /// Every line has Timesketch's required fields, `datetime` is ISO 8601 with an explicit
    /// offset and names the same instant as the event's stored UTC; events without a UTC instant
    /// are left out and counted, never given a made-up time.
    @Test func timesketchLines() throws {
        let dir = try TestDirectory("export-ts")
        defer { dir.remove() }
        // No case zone: the WhatsApp and KakaoTalk times have no UTC (basis unknown).
        let db = try ExportFixture.caseDB(dir, zone: nil)
        let out = dir.path("case.jsonl")
        let r = try ExportFixture.export(db, "timesketch", out, ["--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let (withUTC, without) = try Fixture.open(db).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline WHERE utc_us IS NOT NULL") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline WHERE utc_us IS NULL") ?? -1)
        }
        #expect(without > 0 && withUTC > 0)
        #expect(r.stdout.contains("\"written\" : \(withUTC)"), "\(r.stdout)")
        #expect(r.stdout.contains(": \(without)"), "the left-out events are counted: \(r.stdout)")
        let check = """
            import json, sqlite3, sys, datetime
            con = sqlite3.connect(sys.argv[2])
            n, last = 0, None
            for line in open(sys.argv[1], encoding="utf-8"):
                e = json.loads(line)
                for k in ("message", "datetime", "timestamp_desc", "basis", "raw", "kind", "source", "event_id"):
                    assert k in e, (k, e)
                assert isinstance(e["message"], str) and e["message"] and e["timestamp_desc"]
                dt = datetime.datetime.fromisoformat(e["datetime"])
                assert dt.utcoffset() == datetime.timedelta(0), e["datetime"]
                utc, basis, desc = con.execute("SELECT utc, basis, description FROM timeline WHERE event_id = ?", (e["event_id"],)).fetchone()
                assert dt == datetime.datetime.fromisoformat(utc.replace("Z", "+00:00")), (dt, utc)
                assert e["basis"] == basis and e["message"] == desc
                assert e["timestamp"] == int(dt.timestamp()) * 1000000 + dt.microsecond
                assert last is None or (e["timestamp"], e["event_id"]) > last
                last = (e["timestamp"], e["event_id"])
                n += 1
            print("ok", n)
            """
        let p = try ExportFixture.python(check, [out, db])
        #expect(p.exitCode == 0 && p.stdout == "ok \(withUTC)\n", "\(p.stdout)\(p.stderr)")
        // Hostile text stays one JSON line per event.
        #expect(try ExportFixture.read(out).split(separator: "\n").count == withUTC)
    }

    /// CSV: RFC 4180 as Python's csv module reads it, UTF-8 with a BOM only when asked, Korean
    /// and quotes intact, every event (those without UTC too), in time order; `--from/--to`
    /// select a window with a date-only end that includes its day.
    @Test func csvForSpreadsheets() throws {
        let dir = try TestDirectory("export-csv")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let plain = dir.path("plain.csv"), bom = dir.path("bom.csv"), window = dir.path("window.csv")
        #expect(try ExportFixture.export(db, "csv", plain).exitCode == 0)
        #expect(try ExportFixture.export(db, "csv", bom, ["--bom"]).exitCode == 0)
        #expect(try ExportFixture.export(db, "csv", window, ["--from", "2024-08-28T15:00:00+09:00", "--to", "2024-08-28"]).exitCode == 0)
        let plainBytes = try Data(contentsOf: URL(fileURLWithPath: plain))
        let bomBytes = try Data(contentsOf: URL(fileURLWithPath: bom))
        #expect(Array(bomBytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(Array(plainBytes.prefix(3)) == Array("utc".utf8))
        #expect(bomBytes.dropFirst(3) == plainBytes)
        let check = """
            import csv, sqlite3, sys
            con = sqlite3.connect(sys.argv[2])
            rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
            total = con.execute("SELECT count(*) FROM timeline").fetchone()[0]
            assert len(rows) == total, (len(rows), total)
            for r in rows:
                utc, raw, desc, basis = con.execute("SELECT utc, raw, description, basis FROM timeline WHERE event_id = ?", (int(r["event_id"]),)).fetchone()
                assert r["utc"] == (utc or "") and r["raw"] == raw and r["basis"] == basis, r
                assert r["description"] == desc or r["description"] == "'" + desc, (r["description"], desc)
            assert any("사진" in r["description"] for r in rows)
            assert any(sys.argv[3] in r["description"] for r in rows)
            w = list(csv.DictReader(open(sys.argv[4], encoding="utf-8", newline="")))
            want = con.execute("SELECT count(*) FROM timeline WHERE utc_us >= 1724824800000000 AND utc_us < 1724889600000000").fetchone()[0]
            assert len(w) == want and want > 0, (len(w), want)
            print("ok")
            """
        let p = try ExportFixture.python(check, [bom, db, ExportFixture.hostileText, window])
        #expect(p.exitCode == 0 && p.stdout == "ok\n", "\(p.stdout)\(p.stderr)")
        #expect(String(decoding: plainBytes, as: UTF8.self).contains("\r\n"))
    }
}
