import ExhibitTesting
import Foundation
import GRDB
import Testing

/// `exhibit export`: each format opened by its consumer's own check (mactime, case_validate, an
/// XML parser), on the sample case plus a hostile chat export.
@Suite("Export", .serialized)
struct ExportTests {
    /// Sleuth Kit's `mactime` (Debian sleuthkit) reads the bodyfile: every inventory entry is a
    /// line, the camera photo's mtime lands on its UTC second, and a name holding `|` and `%41`
    /// comes back exactly (the escapes are mactime's own `%XX`).
    @Test func bodyfileReadsInMactime() throws {
        let dir = try TestDirectory("export-body")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let body = dir.path("case.body")
        let r = try ExportFixture.export(db, "bodyfile", body)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let lines = try ExportFixture.read(body).split(separator: "\n")
        let fileCount = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } ?? -1
        #expect(lines.count == fileCount)
        #expect(lines.allSatisfy { $0.split(separator: "|", omittingEmptySubsequences: false).count == 11 })

        let mac = try Run.command("/usr/bin/mactime", ["-b", body, "-d", "-z", "UTC"])
        #expect(mac.exitCode == 0, "mactime: \(mac.stderr)")
        let out = mac.stdout.split(separator: "\n").map(String.init)
        #expect(out.first == "Date,Size,Type,Mode,UID,GID,Meta,File Name")
        // DateTimeOriginal 15:12:03 KST, stored with the zip's UTC extra field: 06:12:03Z.
        #expect(out.contains { $0.hasPrefix("Wed Aug 28 2024 06:12:03,8037,m...,r/rrw-rw-r--,0,0,")
                                && $0.hasSuffix("\"phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg\"") })
        // A DOS time only (Python zipfile), read in the case zone Asia/Seoul: 09:00 KST = 00:00Z.
        #expect(out.contains { $0.hasPrefix("Tue Aug 27 2024 00:00:00,4,m...,") && $0.hasSuffix("\"hostile.zip!/evil|pipe%41 파일.txt\"") },
                "\(out.filter { $0.contains("evil") })")
    }

    /// DFXML: well-formed (Python's expat), the elements we write in the schema's order, one
    /// `fileobject` per inventory row with the database's MD5/SHA-1/SHA-256 and times.
    @Test func dfxmlStructureAndDigests() throws {
        let dir = try TestDirectory("export-dfxml")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let out = dir.path("case.dfxml")
        let r = try ExportFixture.export(db, "dfxml", out)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let check = """
            import sqlite3, sys, xml.etree.ElementTree as ET
            ns = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"}
            D = "{%s}" % ns["d"]
            root = ET.parse(sys.argv[1]).getroot()
            assert root.tag == D + "dfxml" and root.get("version") == "1.2.0", root.tag
            assert root.find("d:creator/d:program", ns).text == "Exhibit"
            order = ["filename", "error", "id", "name_type", "filesize", "alloc", "inode", "meta_type", "mode",
                     "mtime", "ctime", "atime", "crtime", "link_target", "libmagic", "hashdigest"]
            con = sqlite3.connect(sys.argv[2])
            rows = {r[0]: r[1:] for r in con.execute("SELECT id, path, size, md5, sha1, sha256, kind FROM files")}
            objs = root.findall("d:fileobject", ns)
            assert len(objs) == len(rows), (len(objs), len(rows))
            for o in objs:
                tags = [c.tag[len(D):] for c in o if c.tag.startswith(D)]
                idx = [order.index(t) for t in tags]
                assert idx == sorted(idx), tags
                fid = int(o.find("d:id", ns).text)
                path, size, md5, sha1, sha256, kind = rows[fid]
                assert o.find("d:filename", ns).text == path, path
                assert int(o.find("d:filesize", ns).text) == size
                digests = {h.get("type"): h.text for h in o.findall("d:hashdigest", ns)}
                if kind == "file" and sha256:
                    assert digests == {"md5": md5, "sha1": sha1, "sha256": sha256}, (path, digests)
                for t in o.findall("d:mtime", ns):
                    utc = con.execute("SELECT utc FROM file_times WHERE file_id = ? AND kind = 'modified'", (fid,)).fetchone()[0]
                    assert t.text == utc, (t.text, utc)
            print("ok", len(objs))
            """
        let p = try ExportFixture.python(check, [out, db])
        #expect(p.exitCode == 0 && p.stdout.hasPrefix("ok"), "\(p.stdout)\(p.stderr)")
    }

    /// CASE/UCO: `case_validate` (PyPI case-utils, CASE 1.5.0 shapes, offline) says it conforms,
    /// and the graph holds every file, every message and the ingest run as an action.
    @Test func caseValidates() throws {
        let dir = try TestDirectory("export-case")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let out = dir.path("case.jsonld")
        let r = try ExportFixture.export(db, "case", out)
        #expect(r.exitCode == 0, "\(r.stderr)")
        // The case_validate entry point, called through python3 so a `pip install --user` works
        // whether or not ~/.local/bin is on PATH.
        let v = try Run.command("/usr/bin/env", ["python3", "-c", "import sys; from case_utils.case_validate import main; sys.exit(main())", out])
        #expect(v.exitCode == 0 && v.stdout.contains("Conforms: True"), "case_validate:\n\(v.stdout)\(v.stderr)")
        let check = """
            import json, sqlite3, sys, collections
            g = json.load(open(sys.argv[1]))["@graph"]
            con = sqlite3.connect(sys.argv[2])
            types = collections.Counter(n["@type"] for n in g)
            files = con.execute("SELECT count(*) FROM files").fetchone()[0] + con.execute("SELECT count(*) FROM evidence").fetchone()[0]
            assert types["uco-observable:File"] == files, (types, files)
            assert types["uco-observable:Message"] == con.execute("SELECT count(*) FROM messages").fetchone()[0]
            assert types["case-investigation:InvestigativeAction"] == 2  # the ingest run and this export
            sha = {h["uco-types:hashValue"]["@value"] for n in g for f in n.get("uco-core:hasFacet", [])
                   for h in f.get("uco-observable:hash", []) if h["uco-types:hashMethod"] == "SHA256"}
            want = {r[0] for r in con.execute("SELECT sha256 FROM files WHERE sha256 IS NOT NULL UNION SELECT sha256 FROM evidence")}
            assert sha == want, want - sha
            texts = [f["uco-observable:messageText"] for n in g for f in n.get("uco-core:hasFacet", []) if "uco-observable:messageText" in f]
            assert sys.argv[3] in texts
            print("ok")
            """
        let p = try ExportFixture.python(check, [out, db, ExportFixture.hostileText])
        #expect(p.exitCode == 0 && p.stdout.hasPrefix("ok"), "\(p.stdout)\(p.stderr)")
    }

    /// Transcripts: one file per chat plus an index; hostile names and texts come out as text,
    /// never markup; attachments show their SHA-256, Telegram messages their ids.
    @Test func transcriptsEscapeEverything() throws {
        let dir = try TestDirectory("export-transcript")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let out = dir.path("transcripts")
        let r = try ExportFixture.export(db, "transcript", out)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let chatCount = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM chats") } ?? -1
        #expect(names.count == chatCount + 1 && names.contains("index.html"), "\(names)")
        let all = try names.map { try ExportFixture.read(out + "/" + $0) }.joined()
        for markup in ["<script", "<img src=x", "<h1>injected", "<b>Eve", "</td></tr></table><h1>"] {
            #expect(!all.contains(markup), "unescaped \(markup)")
        }
        #expect(all.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 사진 &quot;quoted&quot;"))
        #expect(all.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(all.contains("WhatsApp Chat with &lt;b&gt;Eve&lt;/b&gt;") || all.contains("&lt;b&gt;Eve&lt;/b&gt;"))
        let (hashes, ids) = try Fixture.open(db).read { db in
            (try String.fetchAll(db, sql: "SELECT sha256 FROM attachments WHERE sha256 IS NOT NULL"),
             try String.fetchAll(db, sql: "SELECT native_id FROM messages WHERE native_id IS NOT NULL"))
        }
        #expect(!hashes.isEmpty && !ids.isEmpty)
        for h in hashes { #expect(all.contains("SHA-256 \(h)")) }
        for id in ids { #expect(all.contains("<td class=\"mono\">\(id)</td>")) }
        #expect(all.contains("assumed-zone"))
        // Links in chat texts are text; nothing may load from anywhere.
        for load in ["src=\"http", "href=\"http", "url(", "@import", "<link", "<iframe", "<object"] {
            #expect(!all.contains(load), "a transcript must not load \(load)")
        }
    }

    /// An existing output is never overwritten unless asked; a failed export leaves no file.
    @Test func refusesToOverwrite() throws {
        let dir = try TestDirectory("export-overwrite")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let out = dir.path("case.body")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        let r = try ExportFixture.export(db, "bodyfile", out)
        #expect(r.exitCode == 4)
        #expect(try ExportFixture.read(out) == "keep me")
        let forced = try ExportFixture.export(db, "bodyfile", out, ["--force"])
        #expect(forced.exitCode == 0)
        #expect(try ExportFixture.read(out).contains("|phone-dump.zip!/sdcard/"))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
        let bad = try ExportFixture.export(db, "dfxml", dir.path("x.xml"), ["--from", "yesterday"])
        #expect(bad.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.xml")))
    }
}
